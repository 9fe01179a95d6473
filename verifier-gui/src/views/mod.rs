//! Screens. Each takes the state it shows and draws it; none does I/O.

pub mod my_code;
