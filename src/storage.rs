//! IndexedDB storage (placeholder).
