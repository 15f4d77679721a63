//! The shell's own pages: the login and the password change a reset requires. The other
//! pages belong to the field app (`app/field`) and the office app (`app/office`).

pub mod login;
pub mod password;
