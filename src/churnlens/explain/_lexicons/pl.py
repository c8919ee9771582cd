"""Polish reason lexicon (see ``_lexicons/__init__.py`` for the format)."""

NEGATORS = "nie ani"
SKIP = """to jest był była było były tak zbyt bardzo wcale w ogóle sama sam
    głównie tylko raczej nam nas mi mnie już jeszcze więcej naprawdę się
    jednak nawet ten ta te"""
POINTERS = "chodzi o z powodu przez dlatego że przyczyną powodem"
CAUSE = "bo ponieważ gdyż dlatego powodu powód przyczyna głównie"
CONTRAST = "ale jednak lecz natomiast niestety choć chociaż mimo"
PROBLEM = "problem problemem powód powodem przyczyna przyczyną kwestia"
FINE = """ok okej dobra dobry dobre dobrze świetny świetna świetne super porządku
    przystępna przystępne rozsądna rozsądne akceptowalna miła miły pomocny
    pomocna pomocni fajny fajna"""

TERMS = {
    "price": """
        3 za drogo
        3 za drogi
        3 zbyt drogo
        3 zbyt drogi
        2 drog*
        2 droż*
        3 podroż*
        3 podwyżk*
        1.5 cena
        2 cennik*
        2 koszt*
        2 budżet*
        2 tańsz*
        1.5 tani*
        1.5 tanio
        3 nie stać
        3 nie opłaca
        2.5 nieopłacaln*
        1.5 opłat*
        2 pieni*
        1.5 za dużo
        1.5 płac*
        2 oszczędn*
        1 rabat*
        1 zniżk*
        1.5 za użytkownika
    """,
    "missing_feature": """
        3 brak funkcj*
        2 brak*
        1.5 funkcj*
        2 funkcjonaln*
        1.5 nie ma
        2 integracj*
        3 nie obsługuje
        3 nie wspiera
        2 ogranicz*
        3 za mało funkcj*
        2.5 za prost*
        2.5 zbyt prost*
        1.5 podstawow*
        1.5 możliwoś*
        1 raport*
        1 eksport*
        2 aplikacj* mobiln*
        1.5 api
        1.5 dostosow*
        1.5 obiecan*
        2 wciąż nie ma
        2 dalej nie ma
    """,
    "poor_support": """
        2 wsparci*
        3 wsparci* techniczn*
        2 support*
        3 obsług* klient*
        1.5 obsług*
        3 pomoc* techniczn*
        1.5 pomoc
        2 helpdesk*
        3 nie odpowiad*
        3 nie odpisa*
        3 brak odpowiedzi
        3 brak kontakt*
        1.5 odpowiedz*
        1.5 odpowiad*
        3 czas odpowiedzi
        2 czek*
        2 zgłosz*
        3 niegrzeczn*
        3 nieuprzejm*
        3 niekompetent*
        2.5 ignor*
        2.5 zignor*
        1.5 konsultant*
        2 opiekun*
        3 nierozwiąz*
        3 nie rozwiąz*
        2 nikt
    """,
    "technical_problems": """
        3 błędy
        3 błąd
        1 błędn*
        3 bug*
        3 nie dział*
        3 przestał* dział*
        3 awari*
        3 zawiesz*
        3 zawiesza
        3 wiesza
        2 powoln*
        2 wolno
        2 wydajn*
        3 niestabiln*
        3 crash*
        3 zacina*
        3 nie ładuje
        1.5 ładowa*
        2 ładuj*
        2 wczytuj*
        3 przerw* w dział*
        2.5 przerw* w pracy
        2.5 niedostępn*
        3 utrat* danych
        3 straci* dan*
        2 synchroniz*
        2 jakoś*
        3 niska jakość
        2.5 techniczn*
        1 problem*
        3 zawodn*
        2 niezawodn*
        1.5 logowa*
        2.5 psuj*
        3 zepsut*
        2 padł*
        2 spowalnia*
    """,
    "switched_to_competitor": """
        3 przeszl* na
        3 przeszli* na
        3 przechodz* na
        2.5 zmieni* na
        3 konkurencj*
        3 konkurent*
        2.5 alternatyw*
        3 inn* narzędz*
        3 inn* dostawc*
        3 inn* rozwiąz*
        2.5 inn* system*
        3 inn* platform*
        3 inn* aplikacj*
        3 inn* program*
        3 jedn* dostawc*
        2 wybral*
        2.5 zdecydowal* na
        2 zamiast
        2 zastąpi*
        2.5 migr*
        2.5 lepsz* ofert*
        1 lepsz*
        2 własn*
        2.5 przenos*
        2.5 przeniesl*
    """,
    "no_longer_needed": """
        3 nie potrzeb*
        ~3 potrzebn*
        ~3 potrzeb*
        3 niepotrzebn*
        3 zbędn*
        3 nie używ*
        ~3 używ*
        3 nie korzyst*
        ~3 korzyst*
        3 rzadko
        3 projekt* zakończ*
        1.5 zakończ*
        1.5 projekt*
        2 sezonow*
        3 za mało
        3 nie przekonał*
        2.5 nie przyjął*
        3 nikt nie logow*
        2.5 nie logow*
        3 przestal* używ*
        3 przestal* korzyst*
        3 nie ma potrzeby
        1.5 już nie
    """,
    "onboarding": """
        3 zbyt skomplikowan*
        2.5 skomplikowan*
        2 złożon*
        2 trudn*
        3 niezrozumia*
        3 nie rozumi*
        ~2.5 rozumi*
        ~2.5 zrozumi*
        2.5 nie wiedzi*
        3 nieintuicyjn*
        ~2.5 intuicyjn*
        3 wdroż*
        3 wdraża*
        2 konfigur*
        3 za dużo ustawień
        2 ustawie*
        2.5 szkoleni*
        2 instrukcj*
        2 dokumentacj*
        2.5 samouczek*
        2 poradnik*
        3 onboarding*
        3 zagmatwan*
        2.5 myląc*
        1.5 nauk*
        2.5 za dużo czasu
        2 naucz*
        3 przytłacz*
        1.5 interfejs*
        2.5 nie potrafi*
        2.5 nie umie*
    """,
    "billing_payment": """
        3 faktur*
        3 płatnoś*
        3 płatnic*
        2.5 kart*
        3 obciąż*
        2 podwójn*
        3 zwrot*
        3 zwróc*
        3 rozliczeni*
        2.5 rachun*
        3 przelew*
        2.5 vat
        2 podat*
        1.5 pobra*
        2 odnowi*
        3 automatyczn* odnow*
        2.5 walut*
        2 paragon*
        1.5 odrzuc*
        3 nadpłat*
        2 dwa razy
        2 dwukrotn*
    """,
    "other": """
        2.5 zamyk*
        2 zamknię*
        2.5 likwidacj*
        2.5 upadł*
        1.5 tymczasow*
        2 przerw*
        2.5 osobist*
        2 przejęci*
        2 fuzj*
        1.5 polityk*
    """,
}
