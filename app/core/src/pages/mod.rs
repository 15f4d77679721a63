//! The shell's own pages: the login, the password change a reset requires, and the
//! follow-ups both apps show (inspectors theirs, reviewers all). The other pages belong to
//! the field app (`app/field`) and the office app (`app/office`).

pub mod follow_ups;
pub mod login;
pub mod password;
