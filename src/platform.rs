//! Small wrappers over browser facilities: time, ids, randomness, network state.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Milliseconds since the Unix epoch, by the tablet's clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The current time, by the tablet's clock.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(now_ms()).unwrap_or_default()
}

/// The date and time where the tablet is.
pub fn now_local() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// Today's date in Hanoi by the tablet's clock, as expressions see
/// `today()`: the day the town hall judges a completed response on too
/// ([`thamgia_core::Response::completed_on`]), whatever time zone the
/// tablet is set to.
pub fn today() -> chrono::NaiveDate {
    thamgia_core::audit::city_date(now())
}

/// A random 64-bit number (an order of options nobody chose), from the
/// browser's crypto ([`random_uuid`]).
pub fn random_u64() -> u64 {
    new_uuid().as_u64_pair().0
}

/// A random number for backoff jitter.
pub fn random_u32() -> u32 {
    (js_sys::Math::random() * f64::from(u32::MAX)) as u32
}

/// A new random id (a version 4 UUID): see [`random_uuid`]. Only a page
/// without any `crypto` falls back to `Math.random()`, to keep the type
/// total.
pub fn new_uuid() -> Uuid {
    random_uuid().unwrap_or_else(|| {
        Uuid::from_u64_pair(
            (js_sys::Math::random() * 2f64.powi(53)) as u64,
            (js_sys::Math::random() * 2f64.powi(53)) as u64,
        )
    })
}

/// A new random version 4 UUID from the browser's `crypto.randomUUID()`,
/// or, where the browser leaves that out (a page that is not a secure
/// context: plain HTTP beyond localhost), from 16 bytes of
/// `crypto.getRandomValues()`, which every page has. Calling
/// `randomUUID` where it is missing would throw. `None` only without any
/// `crypto`.
pub fn random_uuid() -> Option<Uuid> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let has_random_uuid = js_sys::Reflect::get(&crypto, &"randomUUID".into())
        .map(|value| value.is_function())
        .unwrap_or(false);
    if has_random_uuid {
        if let Ok(id) = Uuid::parse_str(&crypto.random_uuid()) {
            return Some(id);
        }
    }
    let mut bytes = [0u8; 16];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// Whether the browser believes it is online.
pub fn is_online() -> bool {
    web_sys::window()
        .map(|window| window.navigator().on_line())
        .unwrap_or(true)
}

/// The page's origin, e.g. `http://localhost:8080`.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_default()
}

/// A time in ms since the epoch as local "HH:MM, DD/MM/YYYY".
pub fn format_local_time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|time| {
            time.with_timezone(&chrono::Local)
                .format("%H:%M, %d/%m/%Y")
                .to_string()
        })
        .unwrap_or_default()
}

/// A time in ms since the epoch as local "HH:MM:SS": a moment within the
/// next minutes, such as when the sync tries again.
pub fn format_clock_time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|time| {
            time.with_timezone(&chrono::Local)
                .format("%H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}
