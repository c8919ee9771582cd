"""Danish reason lexicon (see ``_lexicons/__init__.py`` for the format).

Danish puts "ikke" after the verb ("det virker ikke", "vi bruger det ikke"), so
negated verbs are phrases with the negator last.
"""

NEGATORS = "ikke ingen intet aldrig"
SKIP = """det er var den så for særlig helt kun bare lige egentlig primært mest jo
    selve rigtig"""
POINTERS = "om pga på grund af fordi skyld"
CAUSE = "fordi pga grund derfor årsag årsagen skyldes primært"
CONTRAST = "men dog selvom derimod desværre"
PROBLEM = "problem problemet problemer årsag årsagen grund grunden"
FINE = """fin fint god godt gode fremragende rimelig rimeligt ok okay hjælpsom
    hjælpsomme hurtig hurtige venlig venlige super"""

TERMS = {
    "price": """
        3 for dyr*
        2.5 dyr*
        2 pris*
        3 prisstig*
        3 prisforhøj*
        3 hæv* pris*
        3 steg* pris*
        2 omkostning*
        2 udgift*
        1.5 forsvare
        2 kost*
        2 budget*
        2 billigere
        1.5 billig*
        3 ikke råd
        3 skåret ned
        3 skær* ned
        2.5 ikke værd
        2 penge
        1.5 spar*
        1.5 for meget
        1 rabat*
    """,
    "missing_feature": """
        2.5 mangl*
        3 manglende funktion*
        1.5 funktion*
        2 funktionalitet*
        2 integration*
        3 understøtt* ikke
        1.5 har ikke
        2 ikke muligt
        2 begræns*
        2.5 for simpel
        1 basal*
        1 rapport*
        1 eksport*
        1 app
        1.5 api
        1.5 tilpas*
        1.5 lovet
        2.5 savn*
        2 stadig ingen
        1.5 ønske*
    """,
    "poor_support": """
        2 support*
        3 kundeservice*
        3 kundesupport*
        1.5 hjælp*
        1.5 svar*
        3 svar* ikke
        3 intet svar
        3 ingen svar
        3 svartid*
        3 ventetid*
        2 vent*
        2 henvendelse*
        2 ticket*
        3 uhøflig*
        3 inkompetent*
        2.5 ignor*
        1.5 kontaktperson*
        3 ikke løst
        3 uløst*
        3 ingen hjælp
        2 vend* tilbage
    """,
    "technical_problems": """
        3 fejl*
        3 bug*
        3 virk* ikke
        2.5 holdt op
        3 nedbrud*
        3 crash*
        2.5 går ned
        2 langsom*
        2 ydeevne*
        2.5 hakk*
        3 ustabil*
        2 stabilitet*
        2 nede
        2.5 drift*
        3 mist* data
        3 datatab*
        2 synkronis*
        2 kvalitet*
        3 dårlig kvalitet
        2.5 teknisk*
        1 problem*
        3 upålidelig*
        ~2.5 pålidelig*
        1.5 indlæs*
        3 frys*
        2.5 hæng*
        1.5 login
        2.5 timeout*
    """,
    "switched_to_competitor": """
        3 skift* til
        2.5 skift*
        2.5 over til
        3 konkurrent*
        2.5 alternativ*
        3 andet værktøj
        3 anden leverandør
        2.5 andet system
        3 anden løsning
        3 andet produkt
        3 anden platform
        2 saml*
        2.5 én leverandør
        2 valgte
        2 stedet
        2 erstat*
        2.5 migrer*
        2.5 bedre tilbud
        2.5 egen løsning
        3 flyt* til
        1 bedre
    """,
    "no_longer_needed": """
        3 ikke brug for
        3 intet behov
        3 ingen behov
        ~3 behov
        3 brug* ikke
        2.5 ikke længere
        1.5 længere
        3 sjældent
        3 projekt* afslut*
        1.5 afslut*
        1.5 projekt*
        2 sæson*
        3 for lidt
        3 aldrig i gang
        3 ingen logg*
        2.5 logget ind
        2.5 stoppe* med
        3 unødvendig*
        3 overflødig*
    """,
    "onboarding": """
        3 for kompliceret
        2.5 komplicer*
        2.5 kompleks*
        2.5 svær* at
        2 svær*
        2.5 besværlig*
        3 forvirr*
        3 forst* ikke
        ~2.5 forstå*
        3 uoverskuelig*
        3 ikke intuitiv*
        3 uintuitiv*
        ~2.5 intuitiv*
        2.5 opsætning*
        2.5 opstart*
        2.5 implementer*
        3 onboarding*
        2.5 oplæring*
        2 træning*
        2 vejledning*
        2 dokumentation*
        2 lær*
        3 for mange indstilling*
        2 indstilling*
        2.5 i gang
        3 ikke brugervenlig*
        ~2.5 brugervenlig*
        1.5 brugerflade*
    """,
    "billing_payment": """
        3 faktura*
        3 fakturer*
        3 betaling*
        3 betalingskort*
        1.5 kort
        3 kreditkort*
        2.5 trukket
        2 træk*
        2 to gange
        2 dobbelt*
        3 refusion*
        3 tilbagebetal*
        3 penge tilbage
        2.5 moms
        1.5 skat*
        2.5 kvittering*
        2 forny*
        3 automatisk forny*
        3 overførsel*
        2.5 valuta*
        2 afvist
        3 opkræv*
    """,
    "other": """
        2.5 luk*
        2.5 konkurs*
        1.5 midlertidig*
        2 pause
        2.5 personlig*
        2 opkøb*
        2 fusion*
        1.5 politik*
    """,
}
