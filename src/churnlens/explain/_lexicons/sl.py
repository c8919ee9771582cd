"""Slovenian reason lexicon (see ``_lexicons/__init__.py`` for the format).

Negated verbs ("ne deluje", "ne potrebujemo", "niso odgovorili") are written
as ``~`` phrases that count only when a negator precedes them.
"""

NEGATORS = "ne ni nismo niso nisem nič nikoli"
SKIP = """je bila bil bilo so to tako preveč zares res glavni glavno samo le pa
    tudi nam nas mi že več sploh čisto ravno"""
POINTERS = "zaradi za o ker da gre"
CAUSE = "ker zaradi razlog razlogi vzrok glavni saj"
CONTRAST = "ampak vendar toda a žal čeprav sicer"
PROBLEM = "problem težava težave razlog vzrok"
FINE = """redu ok dobra dober dobro odlična odličen odlično super prijazna
    prijazni hitra hiter hitro sprejemljiva sprejemljivo ugodna ugoden ugodno"""

TERMS = {
    "price": """
        3 predrag*
        3 preveč drag*
        2.5 drag*
        2 draž*
        3 podraž*
        1.5 cena
        2 cenik*
        2 cenovn*
        3 dvig* cen*
        3 višj* cen*
        2 strošk*
        2 stane
        2 stalo
        2 proračun*
        2 cenejš*
        1.5 poceni
        ~3 privoščit*
        2.5 ni vredn*
        2 denar*
        2 prihran*
        1.5 plačuj*
        1 popust*
    """,
    "missing_feature": """
        3 manjka* funkcij*
        2.5 manjk*
        1.5 funkcij*
        2 funkcionalnost*
        2 nima
        2 nimamo
        3 ne podpira
        2 integracij*
        2 povezav*
        2 omejen*
        2 omejitev*
        2.5 preveč preprost*
        1.5 preprost*
        1 osnovn*
        1 poroči*
        1 izvoz*
        1.5 mobiln*
        1.5 api
        1.5 prilagod*
        1.5 obljub*
        2 še vedno ni
        2.5 pogreš*
        2 ni mogoče
        1.5 možnost*
    """,
    "poor_support": """
        2 podpor*
        3 podpora strankam
        3 uporabnišk* podpor*
        3 služb* za strank*
        1.5 pomoč
        1.5 odziv*
        1.5 odgovor*
        ~3 odgovor*
        ~3 odgovarja*
        ~3 odzval*
        3 brez odgovora
        3 počas* odziv*
        3 odzivni čas
        2 čak*
        2 zahtevek
        2 zahtevk*
        3 nevljud*
        2.5 nesposob*
        3 nekompetent*
        2.5 ignorir*
        1.5 skrbnik*
        3 nerešen*
        ~3 rešen*
        ~3 rešil*
        2 nihče
        1.5 osebje
    """,
    "technical_problems": """
        3 napak*
        3 hrošč*
        3 bug*
        ~3 deluj*
        3 ne dela
        3 preneha* delovat*
        3 sesu*
        3 zruš*
        3 izpad*
        2 počasn*
        2 počasi
        2 zmogljivost*
        3 nestabiln*
        1.5 stabilnost*
        3 zamrzn*
        3 zatika*
        3 izgub* podatk*
        2 sinhroniz*
        2 kakovost*
        3 slab* kakovost*
        2.5 tehnič*
        1 težav*
        3 nezanesljiv*
        ~2.5 zanesljiv*
        1.5 nalaga*
        1.5 prijav*
        2.5 nedosegljiv*
    """,
    "switched_to_competitor": """
        3 prešl* na
        3 prehaja* na
        2.5 zamenjal*
        2 zamenj*
        3 konkurenc*
        3 konkurent*
        2.5 alternativ*
        3 drug* orodj*
        3 drug* ponudnik*
        3 drug* rešitev*
        2.5 drug* sistem*
        3 drug* platform*
        3 drug* aplikacij*
        3 drug* program*
        2 izbral*
        2.5 odločil* za
        2 namesto
        2.5 migr*
        2.5 boljš* ponudb*
        1 boljš*
        2.5 lastn* rešitev*
        2.5 preselil*
        2.5 združil*
        3 en* ponudnik*
    """,
    "no_longer_needed": """
        ~3 potreb*
        3 nepotreb*
        ~3 uporablja*
        ~3 uporabil*
        3 redko
        3 projekt* konč*
        1.5 konča*
        1.5 projekt*
        2 sezonsk*
        3 premalo
        3 nihče prijav*
        2.5 ni sprejel*
        3 nehal* uporab*
        3 odveč
        1.5 ni več
    """,
    "onboarding": """
        3 preveč zaplet*
        2.5 zaplet*
        2.5 kompleksn*
        2 zahtevn*
        2 težk*
        3 nerazumljiv*
        ~2.5 razum*
        2.5 nejasn*
        3 zmed*
        3 neintuitiv*
        ~2.5 intuitiv*
        2 namestit*
        2 nastav*
        3 preveč nastavitev
        3 uvajanj*
        2.5 uvedb*
        2.5 vpeljav*
        2.5 usposablja*
        2 izobraževanj*
        2 navodil*
        2 dokumentacij*
        2 nauči*
        ~2.5 znal*
        ~2.5 znamo
        ~2 vedel*
        1.5 vmesnik*
    """,
    "billing_payment": """
        2.5 račun
        3 faktur*
        3 plačil*
        2 plačev*
        2.5 kartic*
        3 bremenit*
        3 zaračuna*
        2 dvakrat
        2 dvojn*
        3 vračil*
        3 vrn* denar*
        2.5 ddv
        2 davk*
        2 davčn*
        2 obnov*
        3 samodejn* obnov*
        2 podaljša*
        3 nakazil*
        2.5 valut*
        1.5 potrdil*
        2 zavrnjen*
    """,
    "other": """
        2.5 zapira*
        2 zaprt*
        2.5 stečaj*
        2.5 likvidac*
        1.5 začasn*
        2.5 osebn*
        2 prevzem*
        2 združitev*
        1.5 politik*
    """,
}
