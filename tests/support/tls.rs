//! Certificates for tests: a certificate authority made on the spot, and server certificates
//! it signs for `localhost` and `127.0.0.1`, written as PEM files (for PostgreSQL, nginx and
//! the clients that must trust them).

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

/// A certificate authority whose certificate is in `cert_path()`.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    cert_path: PathBuf,
}

/// A server certificate and its private key, as PEM files.
pub struct ServerCert {
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
}

impl TestCa {
    /// A new CA named `name`, its certificate written to `dir/{name}.crt`.
    pub fn new(dir: &Path, name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.distinguished_name.push(
            DnType::CommonName,
            format!("Enclave Inspect test CA {name}"),
        );
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().expect("CA key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("CA certificate");
        let cert_path = dir.join(format!("{name}.crt"));
        std::fs::write(&cert_path, issuer.pem()).expect("write the CA certificate");
        Self { issuer, cert_path }
    }

    /// Where the CA's certificate is (what a client is told to trust).
    pub fn cert_path(&self) -> &Path {
        &self.cert_path
    }

    /// A certificate for `localhost` and `127.0.0.1`, signed by this CA, written as
    /// `dir/{name}.crt` and `dir/{name}.key` (the key readable by its owner only).
    pub fn server_cert(&self, dir: &Path, name: &str) -> ServerCert {
        let mut params = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
            .expect("server certificate parameters");
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let key = KeyPair::generate().expect("server key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("sign the server certificate");
        let cert_path = dir.join(format!("{name}.crt"));
        let key_path = dir.join(format!("{name}.key"));
        std::fs::write(&cert_path, cert.pem()).expect("write the server certificate");
        std::fs::write(&key_path, key.serialize_pem()).expect("write the server key");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600))
            .expect("restrict the server key");
        ServerCert {
            cert_path,
            key_path,
        }
    }
}
