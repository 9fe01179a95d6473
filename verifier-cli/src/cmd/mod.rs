//! One module per subcommand.

pub mod keygen;
pub mod safety_number;
pub mod sas;
pub mod show;
