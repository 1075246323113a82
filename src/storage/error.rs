//! What can go wrong in storage, and what the user is told to do about it.

use indexed_db_futures::error::{Error as IdbError, OpenDbError};
use thamgia_core::report::ReportError;
use thamgia_core::Localized;

/// A storage operation failed. Whatever the error, the transaction it
/// happened in was rolled back as a whole: nothing saved earlier is lost and
/// nothing is half-written.
///
/// Two kinds, so a caller decides without matching every case: the browser
/// failed to store or read ([`IoFailure`]: retry, free space, reload), or
/// the records refused what was asked ([`Refusal`]: the action is not
/// allowed, and trying again will not change that).
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The browser's storage failed.
    #[error(transparent)]
    Io(#[from] IoFailure),
    /// The records refused the operation.
    #[error(transparent)]
    Refused(#[from] Refusal),
}

/// The browser's storage failed: nothing about the records is wrong, and
/// the same operation can succeed later.
#[derive(Debug, thiserror::Error)]
pub enum IoFailure {
    /// The browser refused more data (`QuotaExceededError`). The worker is
    /// told to sync (so what is saved reaches the town hall) and then to
    /// free space on the tablet: the browser's quota for the app grows with
    /// the device's free space.
    #[error("the browser's storage is full")]
    QuotaExceeded,
    /// The connection was closed by the browser (`InvalidStateError`,
    /// `AbortError`, Safari's `UnknownError` "connection lost") and reopening
    /// it once did not help.
    #[error("the connection to IndexedDB was closed")]
    Closed,
    /// IndexedDB is missing, refused (some private modes, sandboxed frames)
    /// or blocked (a newer version of the app is open in another tab).
    #[error("IndexedDB is unavailable: {0}")]
    Unavailable(String),
    /// Anything else IndexedDB or the record encoding reported.
    #[error("IndexedDB failed: {0}")]
    Other(String),
}

/// The records refused the operation: it is not allowed in the state they
/// are in, and trying again will not change that.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The response is completed, so it cannot be saved or discarded as a draft.
    #[error("the response is completed, not a draft")]
    NotADraft,
    /// Only a completed response can be queued for sending or corrected.
    #[error("the response is not completed")]
    NotCompleted,
    /// No response with that id is on this tablet.
    #[error("the response is not on this tablet")]
    NotFound,
    /// Consent for the response was withdrawn: its answers are gone, so it
    /// cannot be corrected.
    #[error("consent for the response was withdrawn")]
    Withdrawn,
    /// The report is approved (or its approval is already queued here), so
    /// its period is closed and no field can be edited any more.
    #[error("the report is approved and locked")]
    ReportLocked,
    /// The report's rules refuse the edit or the status change (a value that
    /// is not a number, a status change the report's life does not allow).
    #[error("the report refuses this change: {0}")]
    Report(ReportError),
    /// The forum was submitted, so it can no longer be saved or discarded as
    /// a draft (a correction is a new forum).
    #[error("the forum is submitted, not a draft")]
    ForumSubmitted,
    /// A forum is queued for the town hall only once marked submitted, and
    /// feedback is recorded only on a submitted forum.
    #[error("the forum is not submitted")]
    ForumNotSubmitted,
    /// The forum misses something it needs before submitting: the first of
    /// its problems (`Forum::problems`), which says what to enter.
    #[error("the forum is incomplete: {}", .0.en)]
    ForumIncomplete(Localized),
    /// No forum on this tablet holds the recommendation.
    #[error("no forum on this tablet holds the recommendation")]
    RecommendationNotFound,
    /// Feedback on the recommendation was already recorded, with other
    /// content: the town hall keeps the first.
    #[error("feedback on the recommendation was already recorded")]
    FeedbackAlreadyGiven,
    /// The database where an account's records would go belongs to another
    /// account (`thamgia_core::tablet_accounts`): nothing is shown or
    /// written in it.
    #[error("the records here belong to another account")]
    AnotherAccount,
}

impl StorageError {
    /// Whether the browser's storage failed (retry, free space, reload), not
    /// the records that refused (the action is not allowed).
    pub fn is_io(&self) -> bool {
        matches!(self, StorageError::Io(_))
    }

    /// What happened and what to do, in Vietnamese and English.
    pub fn message(&self) -> Localized {
        match self {
            StorageError::Io(failure) => failure.message(),
            StorageError::Refused(refusal) => refusal.message(),
        }
    }

    /// Maps a DOMException by its name, the only stable part of it.
    pub(super) fn from_dom_exception(exception: &web_sys::DomException) -> StorageError {
        let name = exception.name();
        match name.as_str() {
            "QuotaExceededError" => IoFailure::QuotaExceeded.into(),
            // The connection is closed or closing; `AbortError` reaches us only
            // when the browser aborted a transaction (we abort only after an
            // error of our own), and Safari reports a lost connection to its
            // storage process as `UnknownError`. All of these are worth one
            // reopen and retry.
            "InvalidStateError" | "AbortError" | "UnknownError" => IoFailure::Closed.into(),
            _ => IoFailure::Other(format!("{name}: {}", exception.message())).into(),
        }
    }

    /// Maps a failure to open the database: always an I/O failure.
    pub(super) fn from_open(error: OpenDbError) -> StorageError {
        let failure = match error {
            OpenDbError::UnsupportedEnvironment | OpenDbError::NullFactory => {
                IoFailure::Unavailable("this browser has no IndexedDB".to_owned())
            }
            // indexed_db_futures reports every exception thrown by
            // `indexedDB.open()` (a SecurityError in a sandboxed frame, say)
            // as `VersionZero`.
            OpenDbError::VersionZero => {
                IoFailure::Unavailable("the browser refused to open IndexedDB".to_owned())
            }
            OpenDbError::Base(error) => match StorageError::from(error) {
                StorageError::Io(IoFailure::QuotaExceeded) => IoFailure::QuotaExceeded,
                StorageError::Io(IoFailure::Other(detail) | IoFailure::Unavailable(detail)) => {
                    IoFailure::Unavailable(detail)
                }
                other => IoFailure::Unavailable(other.to_string()),
            },
        };
        failure.into()
    }
}

impl IoFailure {
    /// What happened and what to do, in Vietnamese and English.
    pub fn message(&self) -> Localized {
        match self {
            IoFailure::QuotaExceeded => Localized::new(
                "Bộ nhớ của trình duyệt đã đầy nên chưa lưu được. Mọi dữ liệu đã lưu trước đó vẫn an toàn. Hãy bấm “Đồng bộ ngay” để gửi dữ liệu lên thành phố, rồi giải phóng dung lượng trên máy (xoá ảnh, video hoặc ứng dụng không cần) và thử lại.",
                "The browser's storage is full, so this was not saved. Everything saved before is safe. Press “Sync now” to send your data to the town hall, then free space on the tablet (delete photos, videos or apps you do not need) and try again.",
            ),
            IoFailure::Closed => Localized::new(
                "Mất kết nối tới bộ nhớ của trình duyệt. Dữ liệu đã lưu vẫn an toàn; hãy tải lại trang rồi thử lại.",
                "The connection to the browser's storage was lost. Everything already saved is safe; reload the page and try again.",
            ),
            IoFailure::Unavailable(_) => Localized::new(
                "Trình duyệt không cho phép lưu dữ liệu. Hãy đóng các thẻ khác của ứng dụng, không dùng chế độ ẩn danh, rồi tải lại trang.",
                "The browser does not allow saving data. Close the app's other tabs, do not use a private window, then reload the page.",
            ),
            IoFailure::Other(_) => Localized::new(
                "Không lưu hay đọc được dữ liệu trong trình duyệt. Dữ liệu đã lưu trước đó vẫn an toàn; hãy thử lại, nếu vẫn lỗi thì tải lại trang.",
                "Saving or reading data in the browser failed. Data saved earlier is safe; try again, and reload the page if it keeps failing.",
            ),
        }
    }
}

impl Refusal {
    /// Why it is not allowed and what to do instead, in Vietnamese and
    /// English.
    pub fn message(&self) -> Localized {
        match self {
            Refusal::NotADraft => Localized::new(
                "Phiếu này đã hoàn thành nên không thể sửa hay xoá nữa. Nếu cần sửa, hãy tạo một phiếu mới.",
                "This response is already completed and can no longer be changed or deleted. To correct it, start a new response.",
            ),
            Refusal::NotCompleted => Localized::new(
                "Phiếu chưa hoàn thành nên chưa thể gửi hay tạo phiếu sửa. Hãy mở phiếu, trả lời xong rồi bấm hoàn thành.",
                "This response is not completed yet, so it cannot be sent or corrected. Open it, finish it, then complete it.",
            ),
            Refusal::NotFound => Localized::new(
                "Không tìm thấy phiếu này trên máy. Hãy tải lại danh sách phiếu.",
                "This response is not on this tablet. Reload the list of responses.",
            ),
            Refusal::Withdrawn => Localized::new(
                "Sự đồng ý cho phiếu này đã được rút lại và các câu trả lời đã bị xoá, nên không thể sửa. Nếu em muốn tham gia lại, hãy bắt đầu một phiếu mới.",
                "Consent for this response was withdrawn and its answers were deleted, so it cannot be corrected. If the child wants to take part again, start a new response.",
            ),
            Refusal::ReportLocked => Localized::new(
                "Kỳ báo cáo này đã đóng: báo cáo đã được duyệt nên không thể sửa nữa. Nếu cần sửa, hãy liên hệ cán bộ thành phố.",
                "This period is closed: the report has been approved and can no longer be changed. If it must change, ask the town hall.",
            ),
            Refusal::Report(error) => error.message(),
            Refusal::ForumSubmitted => Localized::new(
                "Diễn đàn này đã được gửi nên không sửa hay xoá được nữa. Nếu cần sửa, hãy ghi một diễn đàn mới.",
                "This forum has been submitted and can no longer be changed or deleted. To correct it, record a new forum.",
            ),
            Refusal::ForumNotSubmitted => Localized::new(
                "Diễn đàn chưa được gửi. Hãy mở diễn đàn, ghi đủ thông tin rồi bấm “Gửi lên thành phố”.",
                "The forum has not been submitted. Open it, complete it, then press “Submit”.",
            ),
            Refusal::ForumIncomplete(problem) => problem.clone(),
            Refusal::RecommendationNotFound => Localized::new(
                "Không tìm thấy kiến nghị này trên máy. Hãy đồng bộ rồi thử lại.",
                "This recommendation is not on this tablet. Sync, then try again.",
            ),
            Refusal::FeedbackAlreadyGiven => Localized::new(
                "Phản hồi cho trẻ về kiến nghị này đã được ghi trước đó, có thể bởi một đồng nghiệp. Hãy tải lại trang để xem.",
                "Feedback to the children on this recommendation was already recorded, perhaps by a colleague. Reload the page to see it.",
            ),
            Refusal::AnotherAccount => Localized::new(
                "Dữ liệu của tài khoản này trên máy đang thuộc về một tài khoản khác nên chưa mở được. Không có gì bị xoá. Hãy tải lại trang rồi đăng nhập lại; nếu vẫn lỗi, hãy báo cán bộ phường/xã.",
                "This account's records on the tablet belong to another account, so they were not opened. Nothing was deleted. Reload the page and sign in again; if it happens again, tell your ward officer.",
            ),
        }
    }
}

impl From<ReportError> for StorageError {
    /// A locked report is [`Refusal::ReportLocked`]; every other refusal
    /// keeps the report's own reason.
    fn from(error: ReportError) -> StorageError {
        let refusal = match error {
            ReportError::Locked => Refusal::ReportLocked,
            other => Refusal::Report(other),
        };
        refusal.into()
    }
}

impl From<IdbError> for StorageError {
    fn from(error: IdbError) -> StorageError {
        match error {
            IdbError::DomException(exception) => {
                StorageError::from_dom_exception(&web_sys::DomException::from(exception))
            }
            other => IoFailure::Other(other.to_string()).into(),
        }
    }
}
