//! One module per page.

pub mod accounts_page;
pub mod audit_page;
pub mod fill_page;
pub mod forum_page;
pub mod forums_page;
pub mod home_page;
pub mod import_page;
pub mod referrals_page;
pub mod refused_page;
pub mod report_page;
pub mod responses_page;
pub mod results_page;
pub mod sign_in_page;
pub mod townhall_page;
pub mod withdrawals_page;
