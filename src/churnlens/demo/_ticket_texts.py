"""Support ticket subjects and first messages, per category and language.

Each entry is ``(subject, text)``; keys follow ``_params.CATEGORIES`` and
``_params.LANGUAGES``. Every category has the same number of variants in every
language, so a variant index drawn once fits any language.
"""

from __future__ import annotations

TICKET_TEXTS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "how_to": {
        "en": (
            (
                "How do I share a report?",
                "How can I share a report with colleagues who don't have an account?",
            ),
            (
                "Question about scheduled reports",
                "Is it possible to send a report automatically every Monday morning?",
            ),
            (
                "Adding team members",
                "Where do I invite new team members and set their permissions?",
            ),
        ),
        "pl": (
            (
                "Jak udostępnić raport?",
                "Jak mogę udostępnić raport współpracownikom, którzy nie mają konta?",
            ),
            (
                "Pytanie o raporty cykliczne",
                "Czy można automatycznie wysyłać raport w każdy poniedziałek rano?",
            ),
            (
                "Dodawanie członków zespołu",
                "Gdzie mogę zaprosić nowe osoby i ustawić im uprawnienia?",
            ),
        ),
        "lt": (
            (
                "Kaip pasidalyti ataskaita?",
                "Kaip galiu pasidalyti ataskaita su kolegomis, kurie neturi paskyros?",
            ),
            (
                "Klausimas dėl suplanuotų ataskaitų",
                "Ar galima ataskaitą automatiškai siųsti kiekvieną pirmadienio rytą?",
            ),
            (
                "Komandos narių pridėjimas",
                "Kur galiu pakviesti naujus narius ir nustatyti jų teises?",
            ),
        ),
        "da": (
            (
                "Hvordan deler jeg en rapport?",
                "Hvordan kan jeg dele en rapport med kolleger, der ikke har en konto?",
            ),
            (
                "Spørgsmål om planlagte rapporter",
                "Kan en rapport sendes automatisk hver mandag morgen?",
            ),
            (
                "Tilføj teammedlemmer",
                "Hvor inviterer jeg nye medlemmer og sætter deres rettigheder?",
            ),
        ),
        "vi": (
            (
                "Làm sao để chia sẻ báo cáo?",
                "Tôi có thể chia sẻ báo cáo với đồng nghiệp chưa có tài khoản "
                "như thế nào?",
            ),
            (
                "Hỏi về báo cáo định kỳ",
                "Có thể tự động gửi báo cáo vào mỗi sáng thứ Hai không?",
            ),
            (
                "Thêm thành viên",
                "Tôi mời thành viên mới và phân quyền cho họ ở đâu?",
            ),
        ),
        "sl": (
            (
                "Kako deliti poročilo?",
                "Kako lahko poročilo delim s sodelavci, ki nimajo računa?",
            ),
            (
                "Vprašanje o načrtovanih poročilih",
                "Ali je mogoče poročilo samodejno pošiljati vsak ponedeljek zjutraj?",
            ),
            (
                "Dodajanje članov ekipe",
                "Kje povabim nove člane in jim nastavim pravice?",
            ),
        ),
    },
    "bug": {
        "en": (
            (
                "Chart not loading",
                "The revenue chart on the dashboard has been blank since this morning.",
            ),
            (
                "Error when saving a filter",
                "I get an 'unexpected error' every time I try to save a filter.",
            ),
            (
                "Wrong totals in report",
                "The totals in the monthly report don't match the rows above them.",
            ),
        ),
        "pl": (
            (
                "Wykres się nie ładuje",
                "Wykres przychodów na pulpicie jest pusty od rana.",
            ),
            (
                "Błąd przy zapisie filtra",
                "Przy każdej próbie zapisania filtra pojawia się „nieoczekiwany błąd”.",
            ),
            (
                "Złe sumy w raporcie",
                "Sumy w raporcie miesięcznym nie zgadzają się z wierszami powyżej.",
            ),
        ),
        "lt": (
            ("Neįsikelia grafikas", "Pajamų grafikas skydelyje nuo ryto tuščias."),
            (
                "Klaida išsaugant filtrą",
                "Kaskart bandant išsaugoti filtrą rodoma „netikėta klaida“.",
            ),
            (
                "Neteisingos sumos ataskaitoje",
                "Mėnesio ataskaitos sumos nesutampa su eilutėmis virš jų.",
            ),
        ),
        "da": (
            (
                "Grafen indlæses ikke",
                "Omsætningsgrafen på dashboardet har været tom siden i morges.",
            ),
            (
                "Fejl når jeg gemmer et filter",
                "Jeg får en »uventet fejl«, hver gang jeg prøver at gemme et filter.",
            ),
            (
                "Forkerte totaler i rapporten",
                "Totalerne i månedsrapporten stemmer ikke med rækkerne ovenover.",
            ),
        ),
        "vi": (
            (
                "Biểu đồ không hiển thị",
                "Biểu đồ doanh thu trên bảng điều khiển bị trống từ sáng nay.",
            ),
            (
                "Lỗi khi lưu bộ lọc",
                "Mỗi lần lưu bộ lọc tôi đều nhận được thông báo “lỗi không xác định”.",
            ),
            (
                "Tổng sai trong báo cáo",
                "Số tổng trong báo cáo tháng không khớp với các dòng phía trên.",
            ),
        ),
        "sl": (
            (
                "Graf se ne naloži",
                "Graf prihodkov na nadzorni plošči je od jutra prazen.",
            ),
            (
                "Napaka pri shranjevanju filtra",
                "Vsakič, ko poskušam shraniti filter, se "
                "prikaže »nepričakovana napaka«.",
            ),
            (
                "Napačne vsote v poročilu",
                "Vsote v mesečnem poročilu se ne ujemajo z vrsticami nad njimi.",
            ),
        ),
    },
    "billing": {
        "en": (
            (
                "Invoice address",
                "Please change the address on our invoices, the new one is attached.",
            ),
            (
                "Charged twice",
                "We were charged twice this month, can you refund one payment?",
            ),
            ("VAT number missing", "Our VAT number is missing on the last invoice."),
        ),
        "pl": (
            (
                "Adres na fakturze",
                "Prosimy o zmianę adresu na fakturach, nowy jest w załączniku.",
            ),
            (
                "Podwójne obciążenie",
                "W tym miesiącu pobrano od nas opłatę dwa "
                "razy, prosimy o zwrot jednej.",
            ),
            ("Brak numeru NIP", "Na ostatniej fakturze brakuje naszego numeru NIP."),
        ),
        "lt": (
            (
                "Adresas sąskaitoje",
                "Prašome pakeisti adresą sąskaitose, naujasis pridėtas priede.",
            ),
            (
                "Nuskaičiuota du kartus",
                "Šį mėnesį mokestis nuskaičiuotas du kartus, prašome grąžinti vieną "
                "mokėjimą.",
            ),
            (
                "Trūksta PVM kodo",
                "Paskutinėje sąskaitoje trūksta mūsų PVM mokėtojo kodo.",
            ),
        ),
        "da": (
            (
                "Adresse på faktura",
                "Vil I ændre adressen på vores fakturaer? Den nye er vedhæftet.",
            ),
            (
                "Trukket to gange",
                "Vi er blevet trukket to gange denne måned, kan I refundere den ene "
                "betaling?",
            ),
            ("CVR-nummer mangler", "Vores CVR-nummer mangler på den seneste faktura."),
        ),
        "vi": (
            (
                "Địa chỉ trên hóa đơn",
                "Vui lòng đổi địa chỉ trên hóa đơn, địa chỉ mới có trong tệp đính kèm.",
            ),
            (
                "Bị trừ tiền hai lần",
                "Tháng này chúng tôi bị trừ tiền hai lần, vui lòng hoàn lại một khoản.",
            ),
            ("Thiếu mã số thuế", "Hóa đơn gần nhất bị thiếu mã số thuế của chúng tôi."),
        ),
        "sl": (
            (
                "Naslov na računu",
                "Prosimo, spremenite naslov na naših računih, novega pošiljamo v "
                "prilogi.",
            ),
            (
                "Dvakrat zaračunano",
                "Ta mesec ste nam zaračunali dvakrat, prosimo "
                "za vračilo enega plačila.",
            ),
            (
                "Manjka davčna številka",
                "Na zadnjem računu manjka naša davčna številka.",
            ),
        ),
    },
    "access": {
        "en": (
            (
                "Can't log in",
                "I can't log in and the password reset email never arrives.",
            ),
            (
                "Locked out after changing 2FA",
                "I changed my phone and can no longer pass two-factor authentication.",
            ),
            (
                "Transfer account ownership",
                "Our admin left the company, how do we transfer the account to me?",
            ),
        ),
        "pl": (
            (
                "Nie mogę się zalogować",
                "Nie mogę się zalogować, e-mail do resetu hasła nie dociera.",
            ),
            (
                "Blokada po zmianie 2FA",
                "Zmieniłem telefon i nie mogę przejść uwierzytelniania "
                "dwuskładnikowego.",
            ),
            (
                "Przeniesienie konta",
                "Nasz administrator odszedł z firmy, jak przenieść konto na mnie?",
            ),
        ),
        "lt": (
            (
                "Negaliu prisijungti",
                "Negaliu prisijungti, slaptažodžio atkūrimo laiškas neateina.",
            ),
            (
                "Užblokuota pakeitus 2FA",
                "Pakeičiau telefoną ir nebegaliu praeiti dviejų veiksnių "
                "autentifikavimo.",
            ),
            (
                "Paskyros perdavimas",
                "Mūsų administratorius išėjo iš įmonės, kaip perduoti paskyrą man?",
            ),
        ),
        "da": (
            (
                "Kan ikke logge ind",
                "Jeg kan ikke logge ind, og mailen til nulstilling af adgangskode "
                "kommer aldrig.",
            ),
            (
                "Låst ude efter skift af 2FA",
                "Jeg har skiftet telefon og kan ikke længere komme igennem "
                "totrinsbekræftelsen.",
            ),
            (
                "Overdragelse af konto",
                "Vores administrator er stoppet, hvordan "
                "overdrager vi kontoen til mig?",
            ),
        ),
        "vi": (
            (
                "Không đăng nhập được",
                "Tôi không đăng nhập được, email đặt lại mật khẩu không bao giờ đến.",
            ),
            (
                "Bị khóa sau khi đổi 2FA",
                "Tôi đã đổi điện thoại và không thể xác thực hai yếu tố nữa.",
            ),
            (
                "Chuyển quyền sở hữu tài khoản",
                "Quản trị viên của chúng tôi đã nghỉ việc, làm sao chuyển tài khoản "
                "cho tôi?",
            ),
        ),
        "sl": (
            (
                "Ne morem se prijaviti",
                "Ne morem se prijaviti, e-pošta za ponastavitev gesla ne pride.",
            ),
            (
                "Zaklenjen po menjavi 2FA",
                "Zamenjal sem telefon in ne morem več opraviti dvostopenjskega "
                "preverjanja.",
            ),
            (
                "Prenos lastništva računa",
                "Naš skrbnik je zapustil podjetje, kako prenesemo račun name?",
            ),
        ),
    },
    "integration": {
        "en": (
            (
                "Slack integration stopped",
                "Notifications no longer appear in our Slack channel.",
            ),
            ("API returns 401", "Our API key suddenly returns 401 Unauthorized."),
            ("Sync with our CRM", "Contacts are no longer syncing with our CRM."),
        ),
        "pl": (
            (
                "Integracja ze Slackiem nie działa",
                "Powiadomienia przestały pojawiać się na naszym kanale w Slacku.",
            ),
            ("API zwraca 401", "Nasz klucz API nagle zwraca błąd 401 Unauthorized."),
            (
                "Synchronizacja z CRM",
                "Kontakty przestały się synchronizować z naszym CRM.",
            ),
        ),
        "lt": (
            (
                "Neveikia Slack integracija",
                "Pranešimai nebepasirodo mūsų Slack kanale.",
            ),
            (
                "API grąžina 401",
                "Mūsų API raktas staiga grąžina klaidą 401 Unauthorized.",
            ),
            (
                "Sinchronizavimas su CRM",
                "Kontaktai nebesisinchronizuoja su mūsų CRM.",
            ),
        ),
        "da": (
            (
                "Slack-integrationen virker ikke",
                "Der kommer ikke længere notifikationer i vores Slack-kanal.",
            ),
            (
                "API returnerer 401",
                "Vores API-nøgle returnerer pludselig 401 Unauthorized.",
            ),
            (
                "Synkronisering med CRM",
                "Kontakter synkroniseres ikke længere med vores CRM.",
            ),
        ),
        "vi": (
            (
                "Tích hợp Slack ngừng hoạt động",
                "Thông báo không còn xuất hiện trong kênh Slack của chúng tôi.",
            ),
            (
                "API trả về lỗi 401",
                "Khóa API của chúng tôi đột nhiên trả về lỗi 401 Unauthorized.",
            ),
            ("Đồng bộ với CRM", "Danh bạ không còn đồng bộ với CRM của chúng tôi."),
        ),
        "sl": (
            (
                "Integracija s Slackom ne deluje",
                "Obvestila se ne prikazujejo več v našem kanalu v Slacku.",
            ),
            ("API vrača 401", "Naš ključ API nenadoma vrača napako 401 Unauthorized."),
            (
                "Sinhronizacija s CRM",
                "Stiki se ne sinhronizirajo več z našim CRM-jem.",
            ),
        ),
    },
    "feature_request": {
        "en": (
            ("Dark mode", "Would you consider adding a dark mode?"),
            (
                "Export to PowerPoint",
                "Exporting charts straight to PowerPoint would help us a lot.",
            ),
            (
                "More user roles",
                "We need a read-only role for our external accountants.",
            ),
        ),
        "pl": (
            ("Tryb ciemny", "Czy planujecie dodać tryb ciemny?"),
            (
                "Eksport do PowerPointa",
                "Bardzo pomógłby nam eksport wykresów bezpośrednio do PowerPointa.",
            ),
            (
                "Więcej ról użytkowników",
                "Potrzebujemy roli tylko do odczytu dla zewnętrznych księgowych.",
            ),
        ),
        "lt": (
            ("Tamsusis režimas", "Ar planuojate pridėti tamsųjį režimą?"),
            (
                "Eksportas į PowerPoint",
                "Labai padėtų galimybė grafikus eksportuoti tiesiai į PowerPoint.",
            ),
            (
                "Daugiau naudotojų vaidmenų",
                "Mums reikia vaidmens tik skaitymui išorės buhalteriams.",
            ),
        ),
        "da": (
            ("Mørk tilstand", "Vil I overveje at tilføje en mørk tilstand?"),
            (
                "Eksport til PowerPoint",
                "Det ville hjælpe os meget at kunne eksportere grafer direkte til "
                "PowerPoint.",
            ),
            (
                "Flere brugerroller",
                "Vi har brug for en rolle med kun læseadgang til vores eksterne "
                "revisorer.",
            ),
        ),
        "vi": (
            ("Chế độ tối", "Các bạn có thể cân nhắc thêm chế độ tối không?"),
            (
                "Xuất sang PowerPoint",
                "Xuất biểu đồ trực tiếp sang PowerPoint sẽ giúp chúng tôi rất nhiều.",
            ),
            (
                "Thêm vai trò người dùng",
                "Chúng tôi cần vai trò chỉ xem cho kế toán bên ngoài.",
            ),
        ),
        "sl": (
            ("Temni način", "Bi razmislili o dodajanju temnega načina?"),
            (
                "Izvoz v PowerPoint",
                "Zelo bi nam pomagal izvoz grafov neposredno v PowerPoint.",
            ),
            (
                "Več uporabniških vlog",
                "Potrebujemo vlogo samo za branje za zunanje računovodje.",
            ),
        ),
    },
    "performance": {
        "en": (
            ("Dashboard very slow", "The dashboard takes over a minute to load."),
            (
                "Timeouts on large reports",
                "Reports with more than a year of data time out.",
            ),
            (
                "App slow in the afternoon",
                "Everything gets very slow every afternoon.",
            ),
        ),
        "pl": (
            ("Pulpit działa bardzo wolno", "Ładowanie pulpitu trwa ponad minutę."),
            (
                "Duże raporty się nie generują",
                "Raporty obejmujące ponad rok danych przekraczają limit czasu.",
            ),
            (
                "Aplikacja zwalnia po południu",
                "Codziennie po południu wszystko bardzo zwalnia.",
            ),
        ),
        "lt": (
            ("Skydelis labai lėtas", "Skydelis įsikelia ilgiau nei minutę."),
            (
                "Didelės ataskaitos nesugeneruojamos",
                "Ataskaitos su daugiau nei metų duomenimis viršija laiko limitą.",
            ),
            (
                "Programa lėtėja po pietų",
                "Kasdien po pietų viskas labai sulėtėja.",
            ),
        ),
        "da": (
            (
                "Dashboardet er meget langsomt",
                "Dashboardet er over et minut om at indlæse.",
            ),
            (
                "Timeout på store rapporter",
                "Rapporter med mere end et års data giver timeout.",
            ),
            (
                "Langsomt om eftermiddagen",
                "Alt bliver meget langsomt hver eftermiddag.",
            ),
        ),
        "vi": (
            (
                "Bảng điều khiển rất chậm",
                "Bảng điều khiển mất hơn một phút để tải.",
            ),
            (
                "Báo cáo lớn bị quá thời gian",
                "Các báo cáo có dữ liệu hơn một năm bị quá thời gian chờ.",
            ),
            (
                "Ứng dụng chậm vào buổi chiều",
                "Chiều nào mọi thứ cũng chạy rất chậm.",
            ),
        ),
        "sl": (
            (
                "Nadzorna plošča je zelo počasna",
                "Nadzorna plošča se nalaga več kot minuto.",
            ),
            (
                "Časovna omejitev pri velikih poročilih",
                "Poročila z več kot letom podatkov presežejo časovno omejitev.",
            ),
            (
                "Aplikacija je popoldne počasna",
                "Vsako popoldne vse postane zelo počasno.",
            ),
        ),
    },
    "data_export": {
        "en": (
            ("CSV export incomplete", "The CSV export stops after 10,000 rows."),
            (
                "Export all our data",
                "How can we export all our data before the contract ends?",
            ),
            (
                "Broken characters in export",
                "Accented characters are broken in the exported file.",
            ),
        ),
        "pl": (
            ("Niepełny eksport CSV", "Eksport CSV kończy się po 10 000 wierszy."),
            (
                "Eksport wszystkich danych",
                "Jak możemy wyeksportować wszystkie dane przed końcem umowy?",
            ),
            (
                "Złe znaki w eksporcie",
                "W wyeksportowanym pliku polskie znaki są zniekształcone.",
            ),
        ),
        "lt": (
            ("Nepilnas CSV eksportas", "CSV eksportas nutrūksta po 10 000 eilučių."),
            (
                "Visų duomenų eksportas",
                "Kaip galime eksportuoti visus duomenis iki sutarties pabaigos?",
            ),
            (
                "Netinkami simboliai eksporte",
                "Eksportuotame faile sugadintos lietuviškos raidės.",
            ),
        ),
        "da": (
            (
                "Ufuldstændig CSV-eksport",
                "CSV-eksporten stopper efter 10.000 rækker.",
            ),
            (
                "Eksport af alle data",
                "Hvordan eksporterer vi alle vores data, inden kontrakten udløber?",
            ),
            (
                "Forkerte tegn i eksporten",
                "Æ, ø og å bliver forkerte i den eksporterede fil.",
            ),
        ),
        "vi": (
            ("Xuất CSV không đầy đủ", "Tệp CSV xuất ra dừng lại sau 10.000 dòng."),
            (
                "Xuất toàn bộ dữ liệu",
                "Làm sao để xuất toàn bộ dữ liệu trước khi hết hợp đồng?",
            ),
            (
                "Lỗi ký tự khi xuất",
                "Chữ có dấu bị lỗi trong tệp đã xuất.",
            ),
        ),
        "sl": (
            ("Nepopoln izvoz CSV", "Izvoz CSV se ustavi po 10.000 vrsticah."),
            (
                "Izvoz vseh podatkov",
                "Kako lahko izvozimo vse podatke pred iztekom pogodbe?",
            ),
            (
                "Napačni znaki v izvozu",
                "Šumniki so v izvoženi datoteki pokvarjeni.",
            ),
        ),
    },
}
