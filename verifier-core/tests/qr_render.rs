//! Rendering tests (filled below).
