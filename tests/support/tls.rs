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

    /// The CA's certificate as PEM.
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `hosts` (names or IP addresses) signed by this CA: the
    /// certificate's PEM and its private key's PEM.
    pub fn issue(&self, hosts: &[&str]) -> (String, String) {
        let names: Vec<String> = hosts.iter().map(|h| (*h).to_owned()).collect();
        let mut params = CertificateParams::new(names).expect("server certificate parameters");
        params.distinguished_name.push(
            DnType::CommonName,
            hosts.first().copied().unwrap_or("server"),
        );
        let key = KeyPair::generate().expect("server key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("sign the server certificate");
        (cert.pem(), key.serialize_pem())
    }

    /// A certificate for `localhost` and `127.0.0.1`, signed by this CA, written as
    /// `dir/{name}.crt` and `dir/{name}.key` (the key readable by its owner only).
    pub fn server_cert(&self, dir: &Path, name: &str) -> ServerCert {
        let (cert, key) = self.issue(&["localhost", "127.0.0.1"]);
        let cert_path = dir.join(format!("{name}.crt"));
        let key_path = dir.join(format!("{name}.key"));
        std::fs::write(&cert_path, cert).expect("write the server certificate");
        std::fs::write(&key_path, key).expect("write the server key");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600))
            .expect("restrict the server key");
        ServerCert {
            cert_path,
            key_path,
        }
    }
}
