"""Vietnamese reason lexicon (see ``_lexicons/__init__.py`` for the format).

Vietnamese is isolating: one syllable per word, no endings, so phrases are
syllable n-grams. Tones distinguish words ("giá" price, "gia" family), so the
lexicon is matched with diacritics when the text has them and folded when it
has none; single folded syllables are ambiguous, hence the many phrases.
"""

NEGATORS = "không chẳng chả chưa"
SKIP = """phải là thì quá cũng lắm rất thật sự chủ yếu chỉ được còn hề đã
    nó cái này bao giờ thực"""
POINTERS = "vì do bởi tại về liên quan đến"
CAUSE = "vì do bởi tại lý nguyên"
CONTRAST = "nhưng tuy song mặc"
PROBLEM = "vấn đề lý nguyên"
FINE = "tốt ổn ok hợp nhanh tuyệt nhiệt"

TERMS = {
    "price": """
        3 quá đắt
        2.5 đắt
        3 đắt đỏ
        2 giá
        3 giá cao
        3 tăng giá
        3 giá tăng
        2.5 chi phí
        1.5 phí
        2.5 ngân sách
        2 rẻ hơn
        3 không đủ tiền
        1.5 tiền
        2.5 tốn kém
        2.5 không đáng
        2 tiết kiệm
        3 trả quá nhiều
        1 giảm giá
        2 chi trả
        1.5 mỗi người dùng
    """,
    "missing_feature": """
        3 thiếu tính năng
        2.5 thiếu
        2 tính năng
        2.5 không có tính năng
        2 chức năng
        2 tích hợp
        2.5 không hỗ trợ
        2 hạn chế
        2.5 quá đơn giản
        1.5 cơ bản
        1 báo cáo
        1 xuất dữ liệu
        1.5 di động
        1.5 api
        1.5 tùy chỉnh
        2 vẫn chưa có
    """,
    "poor_support": """
        2.5 hỗ trợ
        3 không được hỗ trợ
        3 chăm sóc khách hàng
        3 dịch vụ khách hàng
        3 bộ phận hỗ trợ
        3 hỗ trợ kém
        3 hỗ trợ chậm
        3 dịch vụ kém
        3 không trả lời
        3 không phản hồi
        1.5 phản hồi
        1.5 trả lời
        3 phản hồi chậm
        3 trả lời chậm
        2 chờ
        2 chờ đợi
        2 ticket
        3 thô lỗ
        3 thiếu chuyên nghiệp
        2.5 phớt lờ
        2 nhân viên
        3 không được giải quyết
        ~2.5 giải quyết
        3 yêu cầu hỗ trợ
        2 gửi yêu cầu
    """,
    "technical_problems": """
        3 lỗi
        3 không hoạt động
        3 ngừng hoạt động
        ~2.5 hoạt động
        3 bị treo
        2.5 treo
        2.5 sập
        2 chậm
        2 hiệu suất
        3 không ổn định
        3 mất dữ liệu
        2 đồng bộ
        2 chất lượng
        3 chất lượng kém
        2.5 kỹ thuật
        1 vấn đề
        3 gián đoạn
        2.5 lag
        2 giật
        3 tải chậm
        1.5 đăng nhập
        3 bug
        3 crash
        3 hỏng
        3 trục trặc
        1.5 truy cập
    """,
    "switched_to_competitor": """
        3 chuyển sang
        1.5 chuyển
        3 đối thủ
        3 đối thủ cạnh tranh
        2 cạnh tranh
        2.5 thay thế
        3 công cụ khác
        3 nhà cung cấp khác
        3 giải pháp khác
        3 phần mềm khác
        3 nền tảng khác
        3 dịch vụ khác
        3 ứng dụng khác
        1 khác
        2 đã chọn
        2 thay vì
        2.5 di chuyển
        1.5 tốt hơn
        2.5 ưu đãi tốt hơn
        2.5 tự xây dựng
        2.5 gộp
        3 một nhà cung cấp
        2 nội bộ
    """,
    "no_longer_needed": """
        3 không cần nữa
        3 không còn cần
        ~3 cần
        ~3 cần thiết
        3 không dùng nữa
        ~3 dùng
        ~3 sử dụng
        3 ít dùng
        3 quá ít
        3 ít sử dụng
        3 hiếm khi
        1.5 nữa
        3 dự án kết thúc
        1.5 kết thúc
        1.5 dự án
        2 theo mùa
        3 không ai đăng nhập
        3 không ai dùng
        3 không ai sử dụng
        3 ít người dùng
        3 ngừng sử dụng
        3 ngừng dùng
        1.5 ngừng
        ~3 nhu cầu
        1.5 không còn
    """,
    "onboarding": """
        3 quá phức tạp
        2.5 phức tạp
        2 khó
        3 khó sử dụng
        3 khó dùng
        3 không hiểu
        ~2.5 hiểu
        3 khó hiểu
        2.5 rối
        3 không trực quan
        ~2.5 trực quan
        2.5 cài đặt
        2.5 thiết lập
        2.5 triển khai
        2.5 đào tạo
        2 hướng dẫn
        2 tài liệu
        1.5 học
        3 không biết cách
        2.5 làm quen
        1.5 giao diện
        2 nhiều bước
        3 quá nhiều cài đặt
    """,
    "billing_payment": """
        3 hóa đơn
        3 hoá đơn
        3 thanh toán
        3 thẻ tín dụng
        3 thẻ ngân hàng
        3 trừ thẻ
        3 trừ tiền
        2 hai lần
        3 hoàn tiền
        3 hoàn lại
        2.5 vat
        2 thuế
        2 gia hạn
        3 gia hạn tự động
        3 chuyển khoản
        2.5 ngoại tệ
        2 biên lai
        1.5 từ chối
        2.5 tính phí
        2.5 tính tiền
        2 thu phí
        1.5 trừ
    """,
    "other": """
        2.5 đóng cửa
        2.5 phá sản
        2.5 giải thể
        1.5 tạm thời
        2 tạm dừng
        2.5 cá nhân
        2 sáp nhập
        2 mua lại
        1.5 chính sách
    """,
}
