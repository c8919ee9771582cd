"""What churning customers write in ``cancel_feedback``, per reason and language.

Short, plain sentences such as people type into a cancellation form. Each reason
has several variants per language so that text analysis sees paraphrases, not one
fixed phrase. Keys follow ``_params.REASONS`` and ``_params.LANGUAGES``.
"""

from __future__ import annotations

FEEDBACK: dict[str, dict[str, tuple[str, ...]]] = {
    "too_expensive": {
        "en": (
            "Too expensive for a team of our size.",
            "The new prices are more than we can justify.",
            "We found a cheaper tool that does what we need.",
            "Budget cuts this quarter, we can't afford it anymore.",
        ),
        "pl": (
            "Za drogo jak na tak mały zespół.",
            "Nowy cennik jest dla nas za wysoki.",
            "Znaleźliśmy tańsze narzędzie, które nam wystarcza.",
            "Cięcia budżetowe, nie stać nas już na to.",
        ),
        "lt": (
            "Per brangu tokio dydžio komandai.",
            "Naujos kainos mums per didelės.",
            "Radome pigesnį įrankį, kurio mums pakanka.",
            "Sumažėjo biudžetas, nebegalime sau to leisti.",
        ),
        "da": (
            "For dyrt til et team på vores størrelse.",
            "De nye priser er for høje for os.",
            "Vi har fundet et billigere værktøj, der dækker vores behov.",
            "Budgettet er skåret ned, vi har ikke råd længere.",
        ),
        "vi": (
            "Quá đắt so với quy mô nhóm của chúng tôi.",
            "Bảng giá mới quá cao đối với chúng tôi.",
            "Chúng tôi đã tìm được công cụ rẻ hơn đáp ứng đủ nhu cầu.",
            "Ngân sách bị cắt giảm, chúng tôi không đủ khả năng chi trả nữa.",
        ),
        "sl": (
            "Predrago za ekipo naše velikosti.",
            "Nove cene so za nas previsoke.",
            "Našli smo cenejše orodje, ki nam zadostuje.",
            "Zaradi krčenja proračuna si tega ne moremo več privoščiti.",
        ),
    },
    "missing_features": {
        "en": (
            "We need proper SSO and it is still missing.",
            "No integration with our accounting system.",
            "Reports are too limited, we need custom dashboards.",
            "Still missing the API features we were promised.",
        ),
        "pl": (
            "Brakuje nam logowania przez SSO.",
            "Nie ma integracji z naszym systemem księgowym.",
            "Raporty są zbyt ograniczone, potrzebujemy własnych pulpitów.",
            "Wciąż brakuje obiecanych funkcji API.",
        ),
        "lt": (
            "Mums trūksta prisijungimo per SSO.",
            "Nėra integracijos su mūsų apskaitos sistema.",
            "Ataskaitos per daug ribotos, reikia savų skydelių.",
            "Vis dar trūksta žadėtų API funkcijų.",
        ),
        "da": (
            "Vi mangler login med SSO.",
            "Der er ingen integration med vores regnskabssystem.",
            "Rapporterne er for begrænsede, vi har brug for egne dashboards.",
            "De lovede API-funktioner mangler stadig.",
        ),
        "vi": (
            "Chúng tôi cần đăng nhập SSO nhưng vẫn chưa có.",
            "Không có tích hợp với hệ thống kế toán của chúng tôi.",
            "Báo cáo quá hạn chế, chúng tôi cần bảng điều khiển tùy chỉnh.",
            "Các tính năng API đã hứa vẫn chưa có.",
        ),
        "sl": (
            "Manjka nam prijava prek SSO.",
            "Ni povezave z našim računovodskim sistemom.",
            "Poročila so preveč omejena, potrebujemo lastne nadzorne plošče.",
            "Obljubljene funkcije API-ja še vedno manjkajo.",
        ),
    },
    "switched_service": {
        "en": (
            "We moved to a competitor that our parent company uses.",
            "Switched to another provider with better pricing for our region.",
            "Our new CTO prefers a different platform.",
            "We consolidated all our tools with one vendor.",
        ),
        "pl": (
            "Przeszliśmy do konkurencji, z której korzysta nasza centrala.",
            "Zmieniliśmy dostawcę na tańszego w naszym regionie.",
            "Nowy dyrektor IT woli inną platformę.",
            "Przenieśliśmy wszystkie narzędzia do jednego dostawcy.",
        ),
        "lt": (
            "Perėjome pas konkurentą, kurį naudoja mūsų pagrindinė įmonė.",
            "Pakeitėme tiekėją į pigesnį mūsų regione.",
            "Naujasis IT vadovas renkasi kitą platformą.",
            "Visus įrankius perkėlėme pas vieną tiekėją.",
        ),
        "da": (
            "Vi er skiftet til en konkurrent, som vores moderselskab bruger.",
            "Vi har skiftet til en billigere leverandør.",
            "Vores nye IT-chef foretrækker en anden platform.",
            "Vi har samlet alle vores værktøjer hos én leverandør.",
        ),
        "vi": (
            "Chúng tôi đã chuyển sang đối thủ mà công ty mẹ đang dùng.",
            "Chúng tôi đã đổi sang nhà cung cấp khác rẻ hơn.",
            "Giám đốc công nghệ mới muốn dùng nền tảng khác.",
            "Chúng tôi gộp tất cả công cụ về một nhà cung cấp.",
        ),
        "sl": (
            "Prešli smo h konkurentu, ki ga uporablja naše matično podjetje.",
            "Zamenjali smo ponudnika za cenejšega.",
            "Novi vodja IT ima raje drugo platformo.",
            "Vsa orodja smo združili pri enem ponudniku.",
        ),
    },
    "unused": {
        "en": (
            "We just didn't use it enough.",
            "The team never really adopted it.",
            "Project finished, no longer needed.",
            "Hardly anyone logged in over the last months.",
        ),
        "pl": (
            "Po prostu za mało z tego korzystaliśmy.",
            "Zespół nigdy się do tego nie przekonał.",
            "Projekt się skończył, nie potrzebujemy już tego.",
            "Od miesięcy prawie nikt się nie logował.",
        ),
        "lt": (
            "Tiesiog per mažai naudojomės.",
            "Komanda taip ir nepradėjo juo naudotis.",
            "Projektas baigėsi, nebereikia.",
            "Jau kelis mėnesius beveik niekas neprisijungė.",
        ),
        "da": (
            "Vi brugte det simpelthen for lidt.",
            "Teamet kom aldrig rigtig i gang med det.",
            "Projektet er afsluttet, så vi har ikke brug for det mere.",
            "Næsten ingen har logget ind de sidste måneder.",
        ),
        "vi": (
            "Chúng tôi dùng quá ít.",
            "Nhóm chưa bao giờ thực sự sử dụng nó.",
            "Dự án đã kết thúc, không cần nữa.",
            "Mấy tháng nay hầu như không ai đăng nhập.",
        ),
        "sl": (
            "Preprosto smo ga premalo uporabljali.",
            "Ekipa ga nikoli ni zares sprejela.",
            "Projekt se je končal, ne potrebujemo ga več.",
            "Zadnje mesece se skoraj nihče ni prijavil.",
        ),
    },
    "customer_service": {
        "en": (
            "Support took days to answer our tickets.",
            "Nobody replied to our emails for over a week.",
            "Our issue was never solved despite several tickets.",
            "Support was slow and unhelpful.",
        ),
        "pl": (
            "Wsparcie odpowiadało na zgłoszenia po kilku dniach.",
            "Nikt nie odpisał na nasze maile przez ponad tydzień.",
            "Nasz problem nigdy nie został rozwiązany mimo kilku zgłoszeń.",
            "Obsługa klienta była wolna i mało pomocna.",
        ),
        "lt": (
            "Pagalbos tarnyba į užklausas atsakydavo tik po kelių dienų.",
            "Daugiau nei savaitę niekas neatsakė į mūsų laiškus.",
            "Mūsų problema taip ir nebuvo išspręsta, nors rašėme kelis kartus.",
            "Klientų aptarnavimas lėtas ir nenaudingas.",
        ),
        "da": (
            "Supporten var flere dage om at svare på vores henvendelser.",
            "Ingen svarede på vores mails i over en uge.",
            "Vores problem blev aldrig løst trods flere henvendelser.",
            "Kundeservice var langsom og ikke til meget hjælp.",
        ),
        "vi": (
            "Bộ phận hỗ trợ mất nhiều ngày mới trả lời yêu cầu.",
            "Hơn một tuần không ai trả lời email của chúng tôi.",
            "Vấn đề của chúng tôi chưa bao giờ được giải quyết "
            "dù đã gửi nhiều yêu cầu.",
            "Dịch vụ khách hàng chậm và không hữu ích.",
        ),
        "sl": (
            "Podpora je na zahtevke odgovarjala šele po več dneh.",
            "Več kot teden dni nihče ni odgovoril na naša sporočila.",
            "Naša težava kljub več zahtevkom ni bila nikoli rešena.",
            "Služba za stranke je bila počasna in ni pomagala.",
        ),
    },
    "too_complex": {
        "en": (
            "Too complicated to set up for our team.",
            "The interface is confusing, people gave up.",
            "Onboarding took too much time.",
            "Too many settings, we only needed the basics.",
        ),
        "pl": (
            "Zbyt skomplikowane wdrożenie dla naszego zespołu.",
            "Interfejs jest nieczytelny, ludzie się poddali.",
            "Konfiguracja zajęła za dużo czasu.",
            "Za dużo ustawień, potrzebowaliśmy tylko podstaw.",
        ),
        "lt": (
            "Per sudėtinga įdiegti mūsų komandai.",
            "Sąsaja paini, darbuotojai pasidavė.",
            "Diegimas užtruko per ilgai.",
            "Per daug nustatymų, mums reikėjo tik pagrindinių funkcijų.",
        ),
        "da": (
            "For kompliceret at sætte op for vores team.",
            "Brugerfladen er forvirrende, folk gav op.",
            "Opstarten tog alt for lang tid.",
            "Alt for mange indstillinger, vi havde kun brug for det basale.",
        ),
        "vi": (
            "Quá phức tạp để triển khai cho nhóm của chúng tôi.",
            "Giao diện khó hiểu, mọi người đã bỏ cuộc.",
            "Việc thiết lập ban đầu mất quá nhiều thời gian.",
            "Quá nhiều cài đặt, chúng tôi chỉ cần những chức năng cơ bản.",
        ),
        "sl": (
            "Prezapleteno za uvedbo v naši ekipi.",
            "Vmesnik je nepregleden, sodelavci so obupali.",
            "Uvajanje je trajalo predolgo.",
            "Preveč nastavitev, potrebovali smo le osnove.",
        ),
    },
    "low_quality": {
        "en": (
            "Too many bugs and outages lately.",
            "The app is slow and reports often fail.",
            "We lost data during an export, that was the last straw.",
            "Constant errors after the last update.",
        ),
        "pl": (
            "Ostatnio za dużo błędów i awarii.",
            "Aplikacja działa wolno, a raporty często się nie generują.",
            "Straciliśmy dane podczas eksportu, to była ostatnia kropla.",
            "Ciągłe błędy po ostatniej aktualizacji.",
        ),
        "lt": (
            "Pastaruoju metu per daug klaidų ir sutrikimų.",
            "Programa veikia lėtai, ataskaitos dažnai nesugeneruojamos.",
            "Eksportuojant praradome duomenis, tai buvo paskutinis lašas.",
            "Po paskutinio atnaujinimo nuolat klaidos.",
        ),
        "da": (
            "For mange fejl og nedbrud på det seneste.",
            "Appen er langsom, og rapporterne fejler tit.",
            "Vi mistede data under en eksport, det var dråben.",
            "Konstante fejl efter den seneste opdatering.",
        ),
        "vi": (
            "Gần đây có quá nhiều lỗi và sự cố.",
            "Ứng dụng chạy chậm và báo cáo thường bị lỗi.",
            "Chúng tôi bị mất dữ liệu khi xuất file, đó là giọt nước tràn ly.",
            "Lỗi liên tục sau bản cập nhật gần nhất.",
        ),
        "sl": (
            "V zadnjem času preveč napak in izpadov.",
            "Aplikacija je počasna, poročila pogosto ne delujejo.",
            "Pri izvozu smo izgubili podatke, to je bila zadnja kaplja.",
            "Po zadnji posodobitvi nenehne napake.",
        ),
    },
    "other": {
        "en": (
            "Company is closing down.",
            "We are merging with another company.",
            "Taking a break, we may come back next year.",
            "Personal reasons.",
        ),
        "pl": (
            "Zamykamy firmę.",
            "Łączymy się z inną firmą.",
            "Robimy przerwę, może wrócimy w przyszłym roku.",
            "Powody osobiste.",
        ),
        "lt": (
            "Įmonė uždaroma.",
            "Jungiamės su kita įmone.",
            "Darome pertrauką, gal grįšime kitais metais.",
            "Asmeninės priežastys.",
        ),
        "da": (
            "Firmaet lukker.",
            "Vi fusionerer med en anden virksomhed.",
            "Vi holder en pause og kommer måske tilbage næste år.",
            "Personlige årsager.",
        ),
        "vi": (
            "Công ty sắp đóng cửa.",
            "Chúng tôi sáp nhập với một công ty khác.",
            "Tạm dừng, có thể sẽ quay lại vào năm sau.",
            "Lý do cá nhân.",
        ),
        "sl": (
            "Podjetje se zapira.",
            "Združujemo se z drugim podjetjem.",
            "Delamo premor, morda se vrnemo prihodnje leto.",
            "Osebni razlogi.",
        ),
    },
}
