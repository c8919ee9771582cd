"""Lithuanian reason lexicon (see ``_lexicons/__init__.py`` for the format).

Lithuanian negates verbs with the prefix ne- (neveikia, nereikia, nenaudojame),
so those forms are phrases of their own rather than negator plus term.
"""

NEGATORS = "ne nei nebuvo niekada nėra nebėra"
SKIP = """tai yra buvo taip per labai visai jau mums man mes čia tikrai pati pats
    tik daugiau ji jis ši šis tas ta iš esmės"""
POINTERS = "dėl todėl kad nes priežastis esmė"
CAUSE = "nes dėl todėl kadangi priežastis priežastys pagrindinė"
CONTRAST = "bet tačiau nors deja vis"
PROBLEM = "problema problemos problemą priežastis esmė"
FINE = """gerai gera geras puiki puikus puikiai normali normalus priimtina
    priimtinas ok neblogai neblogas greitas greita maloni malonus"""

TERMS = {
    "price": """
        3 per brang*
        2.5 brang*
        3 pabrang*
        2 kain*
        3 kain* kėl*
        3 kain* pakėl*
        3 pakėl* kain*
        2.5 padidin* kain*
        2 išlaid*
        2 biudžet*
        2 pigesn*
        1.5 pig*
        3 neapsimok*
        3 nebeapsimok*
        3 negali* sau leist*
        2 pinig*
        1.5 mokėt*
        1.5 per daug
        2 sutaupy*
        2 taupy*
        1 nuolaid*
    """,
    "missing_feature": """
        3 trūksta funkcij*
        2.5 trūk*
        1.5 funkcij*
        2 funkcionalum*
        2.5 nėra funkcij*
        2 integracij*
        3 nepalaik*
        3 nėra galimyb*
        1.5 galimyb*
        2 ribot*
        2 apribojim*
        2.5 per paprast*
        1 bazin*
        1 ataskait*
        1 eksport*
        1.5 mobil*
        1.5 api
        1.5 pritaiky*
        1.5 pažadėt*
        2.5 vis dar nėra
        1 reikėjo
    """,
    "poor_support": """
        3 klient* aptarnavim*
        2 aptarnavim*
        2 palaikym*
        2 pagalb*
        2 support*
        3 neatsak*
        3 negav* atsakym*
        1.5 atsakym*
        1 atsak*
        3 atsakym* laik*
        3 lėt* atsak*
        2 lauk*
        2 užklaus*
        1.5 bilet*
        3 nemandag*
        3 nekompetent*
        2.5 ignoruo*
        1.5 vadybinink*
        3 neišspręst*
        ~3 išspręst*
        2 niekas
        1.5 konsultant*
        1.5 operatori*
    """,
    "technical_problems": """
        3 klaid*
        3 bug*
        3 neveik*
        3 nustoj* veikt*
        3 strig*
        2.5 lūž*
        3 sutrikim*
        3 gedim*
        2 lėt*
        2 našum*
        3 nestabil*
        1.5 stabilum*
        2.5 nepasiekiam*
        3 prarad* duomen*
        3 duomen* praradim*
        2 sinchroniz*
        2 kokyb*
        3 prast* kokyb*
        2.5 technin*
        1 problem*
        3 nepatikim*
        1.5 kraun*
        3 nesikraun*
        3 užstri*
        1.5 prisijung*
        3 lūžinėj*
    """,
    "switched_to_competitor": """
        3 perėj* prie
        3 perein* prie
        2.5 perėj*
        3 konkurent*
        2.5 konkurencij*
        2.5 alternatyv*
        3 kit* įrank*
        3 kit* tiekėj*
        3 kit* sprendim*
        3 kit* platform*
        3 kit* program*
        3 kit* paslaug*
        2.5 kit* sistem*
        2 pasirink*
        2 vietoj
        1.5 pakeit*
        2.5 migr*
        2.5 geresn* pasiūlym*
        1 geresn*
        2.5 sav* sprendim*
        2.5 persikėl*
        2.5 perkėl*
        3 pakeit* tiekėj*
        1.5 tiekėj*
        3 vien* tiekėj*
    """,
    "no_longer_needed": """
        3 nebereik*
        3 nereik*
        3 nereikaling*
        ~2.5 reikaling*
        3 nenaudoj*
        3 nebenaudoj*
        ~3 naudoj*
        ~3 naudoja*
        3 retai
        3 projekt* baig*
        1.5 baig*
        1.5 projekt*
        2 sezonin*
        3 per mažai
        3 nepradėj* naudot*
        3 niekas neprisijung*
        2.5 neprisijung*
        3 nustoj* naudot*
        3 nebėra poreik*
        ~3 poreik*
    """,
    "onboarding": """
        3 per sudėting*
        2.5 sudėting*
        2 sunk*
        3 nesupra*
        ~2.5 supra*
        3 neaišk*
        3 pain*
        3 neintuityv*
        ~2.5 intuityv*
        2.5 diegim*
        2 nustatym*
        3 per daug nustatym*
        2 konfigūr*
        2.5 mokym*
        2 instrukcij*
        2 dokumentacij*
        2.5 išmokt*
        2 mokyt*
        2.5 nežinoj*
        1.5 sąsaj*
        3 neperpra*
        ~2.5 perpra*
    """,
    "billing_payment": """
        3 sąskait*
        3 mokėjim*
        3 apmokėjim*
        2.5 kortel*
        3 nuskaič*
        2.5 nurašė
        2 dvigub*
        3 grąžin*
        2.5 pvm
        1.5 mokesč*
        3 atsiskaitym*
        3 pavedim*
        3 pervedim*
        2 atnaujin*
        3 automatin* atnaujin*
        2.5 valiut*
        2 kvit*
        1.5 atmest*
        2 du kartus
    """,
    "other": """
        2.5 uždar*
        2.5 bankrot*
        2.5 likvid*
        1.5 laikin*
        2.5 asmenin*
        2 įsigij*
        2 susijung*
        1.5 politik*
    """,
}
