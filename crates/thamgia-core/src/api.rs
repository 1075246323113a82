//! What the town hall's endpoints beyond sync take and answer (sync's own
//! messages are in [`crate::protocol`]).
//!
//! One definition per message, shared by the server (which writes them) and
//! both apps (which read them): a field renamed on one side is a compile
//! error on the other, not a blank page found by an end-to-end test. The
//! rules both sides apply to these figures (the milestone a year is
//! measured against, the participation percent) live here too.
//!
//! - [`townhall`]: the overview of a period, a ward's trend, a ward's child
//!   population;
//! - [`forums`]: forums and recommendations as the town hall follows them,
//!   and an authority's answer;
//! - [`units`]: Hanoi's wards and communes;
//! - [`import`]: a refused XLSForm import, problem by problem;
//! - [`results`]: what children said, asked survey by survey;
//! - [`themes`]: a survey's codebook, the answers tagged with it, and the
//!   list of a question's answers.

pub mod forums;
pub mod import;
pub mod results;
pub mod themes;
pub mod townhall;
pub mod units;
