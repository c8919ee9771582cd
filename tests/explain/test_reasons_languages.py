"""Feedback written for these tests, per language and reason.

The sentences are the author's own, written with the lexicons in mind; the
independent measure of the classifier is tests/explain/test_reason_eval.py.
"""

from __future__ import annotations

import pytest

from churnlens.explain._stemming import fold
from churnlens.explain.reasons import classify_reason

EXAMPLES = {
    "en": {
        "price": [
            "Honestly it's just too expensive for a team of our size.",
            "After the last price increase we could not justify the cost.",
            "Not worth the money anymore, our budget was cut.",
        ],
        "missing_feature": [
            "It still doesn't integrate with Xero, which we need.",
            "Missing features we asked for a year ago, like recurring tasks.",
            "The reporting is too basic and there is no API.",
        ],
        "poor_support": [
            "Support never answered our tickets.",
            "Customer service was rude and slow to respond.",
            "We waited two weeks for a reply and the issue is still unresolved.",
        ],
        "technical_problems": [
            "The app kept crashing and we lost data twice.",
            "Too many bugs, sync doesn't work half the time.",
            "Constant outages and it is painfully slow.",
        ],
        "switched_to_competitor": [
            "We switched to Asana.",
            "Moving to another tool that the rest of the company uses.",
            "Found a better option with a competitor.",
        ],
        "no_longer_needed": [
            "We don't need it anymore, the project ended.",
            "We barely used it over the last months.",
            "It was a one-off campaign, we have no use for it now.",
        ],
        "other": ["We are closing the business.", "Personal reasons."],
        "onboarding": [
            "Too complicated to set up for our team.",
            "We couldn't figure out how to configure the workflows.",
            "The learning curve was too steep, people found it confusing.",
        ],
        "billing_payment": [
            "We were charged twice this month and still wait for a refund.",
            "Invoices never had our VAT number on them.",
            "Our card was declined and the payment page kept failing.",
        ],
    },
    "pl": {
        "price": [
            "Za drogo jak na nasze potrzeby.",
            "Po podwyżce cen przestało się nam opłacać.",
            "Koszt licencji jest zbyt wysoki, musimy oszczędzać.",
        ],
        "missing_feature": [
            "Brakuje nam integracji z Allegro.",
            "Brak funkcji, których potrzebowaliśmy, np. eksportu do Excela.",
            "Program nie obsługuje wielu walut i wciąż nie ma aplikacji mobilnej.",
        ],
        "poor_support": [
            "Obsługa klienta nie odpowiada na zgłoszenia.",
            "Wsparcie techniczne jest bardzo wolne, czekaliśmy tydzień.",
            "Konsultanci byli niekompetentni i nieuprzejmi.",
        ],
        "technical_problems": [
            "Aplikacja ciągle się zawiesza i pojawiają się błędy.",
            "Synchronizacja nie działa, straciliśmy dane.",
            "Częste awarie i przerwy w działaniu.",
        ],
        "switched_to_competitor": [
            "Przeszliśmy na konkurencyjne rozwiązanie.",
            "Wybraliśmy inne narzędzie, tańsze i prostsze.",
            "Przenosimy się do innego dostawcy.",
        ],
        "no_longer_needed": [
            "Nie potrzebujemy już tego narzędzia.",
            "Projekt się zakończył, więc nie korzystamy.",
            "Rzadko z tego korzystaliśmy.",
        ],
        "other": ["Zamykamy działalność.", "Z przyczyn osobistych."],
        "onboarding": [
            "Zbyt skomplikowane, nie rozumieliśmy jak to skonfigurować.",
            "Wdrożenie było za trudne dla naszego zespołu.",
            "Interfejs jest nieintuicyjny i zagmatwany.",
        ],
        "billing_payment": [
            "Pobrano opłatę dwa razy i nadal czekamy na zwrot.",
            "Faktury są wystawiane z błędnym NIP.",
            "Płatność kartą ciągle jest odrzucana.",
        ],
    },
    "lt": {
        "price": [
            "Per brangu mūsų mažai įmonei.",
            "Po kainų pakėlimo nebeapsimoka.",
            "Kaina per didelė, turime taupyti.",
        ],
        "missing_feature": [
            "Trūksta funkcijų, kurių mums reikia.",
            "Nėra integracijos su mūsų apskaitos sistema.",
            "Programa nepalaiko kelių valiutų.",
        ],
        "poor_support": [
            "Klientų aptarnavimas neatsako į laiškus.",
            "Palaikymo komanda labai lėtai atsako, laukėme savaitę.",
            "Negavome jokio atsakymo į užklausą.",
        ],
        "technical_problems": [
            "Programa nuolat stringa ir neveikia.",
            "Per daug klaidų, sinchronizacija neveikia.",
            "Dažni sutrikimai, praradome duomenis.",
        ],
        "switched_to_competitor": [
            "Perėjome prie konkurento.",
            "Pasirinkome kitą įrankį.",
            "Radome geresnę alternatyvą.",
        ],
        "no_longer_needed": [
            "Mums to nebereikia.",
            "Projektas baigėsi, sistemos nenaudojame.",
            "Naudojome labai retai.",
        ],
        "other": ["Įmonė uždaroma.", "Dėl asmeninių priežasčių."],
        "onboarding": [
            "Per sudėtinga, nesupratome kaip naudotis.",
            "Sistema neaiški ir paini.",
            "Diegimas buvo per sunkus mūsų komandai.",
        ],
        "billing_payment": [
            "Nuskaičiavo pinigus du kartus, laukiame grąžinimo.",
            "Sąskaitose nėra mūsų PVM kodo.",
            "Mokėjimas kortele nepavyksta.",
        ],
    },
    "da": {
        "price": [
            "Det er blevet for dyrt for os.",
            "Efter prisstigningen har vi ikke råd.",
            "Prisen er for høj i forhold til hvad vi får.",
        ],
        "missing_feature": [
            "Vi mangler integration til e-conomic.",
            "Den understøtter ikke flere valutaer.",
            "Der mangler vigtige funktioner som rapporter.",
        ],
        "poor_support": [
            "Supporten svarer ikke på vores henvendelser.",
            "Kundeservice var uhøflig og ventetiden var lang.",
            "Vi fik intet svar i to uger.",
        ],
        "technical_problems": [
            "Systemet virker ikke og har mange fejl.",
            "Appen går ned hele tiden og er langsom.",
            "Vi mistede data efter et nedbrud.",
        ],
        "switched_to_competitor": [
            "Vi er skiftet til en konkurrent.",
            "Vi har valgt et andet værktøj.",
            "Vi flytter til en anden leverandør.",
        ],
        "no_longer_needed": [
            "Vi har ikke brug for det længere.",
            "Projektet er afsluttet.",
            "Vi brugte det sjældent.",
        ],
        "other": ["Firmaet går konkurs.", "Af personlige årsager."],
        "onboarding": [
            "Alt for kompliceret at sætte op.",
            "Vi forstod ikke hvordan det skulle bruges.",
            "Systemet er forvirrende og svært at lære.",
        ],
        "billing_payment": [
            "Vi er blevet trukket to gange og venter på refusion.",
            "Fakturaen mangler vores CVR og moms.",
            "Betalingen med kort blev afvist.",
        ],
    },
    "vi": {
        "price": [
            "Giá quá cao so với ngân sách của chúng tôi.",
            "Sau khi tăng giá thì chi phí không còn hợp lý.",
            "Phần mềm quá đắt.",
        ],
        "missing_feature": [
            "Thiếu tính năng báo cáo mà chúng tôi cần.",
            "Không có tích hợp với hệ thống kế toán.",
            "Chức năng còn hạn chế.",
        ],
        "poor_support": [
            "Bộ phận hỗ trợ không trả lời email.",
            "Chăm sóc khách hàng rất chậm, chờ cả tuần.",
            "Nhân viên hỗ trợ thô lỗ.",
        ],
        "technical_problems": [
            "Ứng dụng hay bị treo và có nhiều lỗi.",
            "Hệ thống không hoạt động ổn định, mất dữ liệu.",
            "Đồng bộ bị lỗi liên tục.",
        ],
        "switched_to_competitor": [
            "Chúng tôi đã chuyển sang một nhà cung cấp khác.",
            "Đã chọn giải pháp của đối thủ.",
            "Chúng tôi dùng một công cụ khác thay thế.",
        ],
        "no_longer_needed": [
            "Chúng tôi không cần nữa.",
            "Dự án đã kết thúc nên không sử dụng nữa.",
            "Chúng tôi ít sử dụng phần mềm này.",
        ],
        "other": ["Công ty chúng tôi giải thể.", "Vì lý do cá nhân."],
        "onboarding": [
            "Quá phức tạp, nhân viên không hiểu cách dùng.",
            "Cài đặt khó và tài liệu hướng dẫn không rõ.",
            "Giao diện khó sử dụng.",
        ],
        "billing_payment": [
            "Bị trừ tiền hai lần, chưa được hoàn tiền.",
            "Hóa đơn sai thông tin công ty.",
            "Thanh toán bằng thẻ tín dụng bị từ chối.",
        ],
    },
    "sl": {
        "price": [
            "Predrago za naše podjetje.",
            "Po podražitvi so stroški previsoki.",
            "Cena je previsoka, iščemo cenejšo možnost.",
        ],
        "missing_feature": [
            "Manjkajo funkcije, ki jih potrebujemo.",
            "Ne podpira integracije z našim računovodstvom.",
            "Še vedno ni mobilne aplikacije.",
        ],
        "poor_support": [
            "Podpora ne odgovarja na sporočila.",
            "Uporabniška podpora je prepočasna, čakali smo teden dni.",
            "Osebje je bilo nevljudno in zahtevek je ostal nerešen.",
        ],
        "technical_problems": [
            "Aplikacija se sesuje in ne deluje.",
            "Preveč napak, sinhronizacija ne dela.",
            "Pogosti izpadi in počasno delovanje.",
        ],
        "switched_to_competitor": [
            "Prešli smo na konkurenčno rešitev.",
            "Izbrali smo drugo orodje.",
            "Zamenjali smo ponudnika.",
        ],
        "no_longer_needed": [
            "Ne potrebujemo več.",
            "Projekt se je končal.",
            "Orodje smo uporabljali zelo redko.",
        ],
        "other": ["Podjetje zapiramo.", "Iz osebnih razlogov."],
        "onboarding": [
            "Preveč zapleteno za uporabo.",
            "Nismo razumeli, kako nastaviti sistem.",
            "Vmesnik je zmeden in navodila nejasna.",
        ],
        "billing_payment": [
            "Dvakrat so nam zaračunali in čakamo na vračilo.",
            "Na računu manjka naša davčna številka.",
            "Plačilo s kartico je bilo zavrnjeno.",
        ],
    },
}
CASES = [
    pytest.param(lang, reason, text, id=f"{lang}-{reason}-{i}")
    for lang, by_reason in EXAMPLES.items()
    for reason, texts in by_reason.items()
    for i, text in enumerate(texts)
]


@pytest.mark.parametrize(("lang", "reason", "text"), CASES)
def test_reason_with_language_given(lang: str, reason: str, text: str) -> None:
    match = classify_reason(text, lang=lang)
    assert match.reason == reason, match


@pytest.mark.parametrize(("lang", "reason", "text"), CASES)
def test_reason_and_language_detected(lang: str, reason: str, text: str) -> None:
    match = classify_reason(text)
    assert (match.lang, match.reason) == (lang, reason), match


@pytest.mark.parametrize(("lang", "reason", "text"), CASES)
def test_reason_without_diacritics(lang: str, reason: str, text: str) -> None:
    match = classify_reason(fold(text))
    assert (match.lang, match.reason) == (lang, reason), match
