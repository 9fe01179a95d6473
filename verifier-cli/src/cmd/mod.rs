//! One module per subcommand.

pub mod contacts;
pub mod keygen;
pub mod qr;
pub mod receipt;
pub mod safety_number;
pub mod sas;
pub mod scan;
pub mod show;
