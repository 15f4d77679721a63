//! Compressed API answers: [`CompressApi`] runs actix-web's own [`Compress`] middleware for the
//! API answers that may be compressed ([`compressible`]) and passes every other answer on as it
//! is.
//!
//! - `/api/auth/*` is never compressed: its answers carry tokens, and a compressed secret next
//!   to input an attacker chose leaks through the answer's length (BREACH).
//! - Outside `/api` nothing is compressed here: the PWA's files come gzipped from `build.rs`
//!   with an `ETag` per encoding (`crate::pwa`), and health answers are a few bytes.
//!
//! Wrapped outside the request-id middleware (`observe::requests`), so that one still reads
//! and rewrites uncompressed JSON error bodies.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::middleware::Compress;

/// Middleware: [`Compress`] for [`compressible`] paths, nothing for the others.
#[derive(Debug, Clone, Copy, Default)]
pub struct CompressApi;

/// Whether the answer to a request for `path` may be compressed.
pub fn compressible(path: &str) -> bool {
    path.starts_with("/api/") && !path.starts_with("/api/auth/")
}

type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

impl<S, B> Transform<S, ServiceRequest> for CompressApi
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Transform =
        CompressApiMiddleware<S, <Compress as Transform<Rc<S>, ServiceRequest>>::Transform>;
    type InitError = ();
    type Future = LocalFuture<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let plain = Rc::new(service);
        let compress = Compress::default().new_transform(Rc::clone(&plain));
        Box::pin(async move {
            Ok(CompressApiMiddleware {
                plain,
                compressed: Rc::new(compress.await?),
            })
        })
    }
}

/// The service [`CompressApi`] makes: one inner service `S`, reached directly or through
/// `C`, [`Compress`]'s service around it.
pub struct CompressApiMiddleware<S, C> {
    plain: Rc<S>,
    compressed: Rc<C>,
}

impl<S, B, C, E> Service<ServiceRequest> for CompressApiMiddleware<S, C>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
    C: Service<ServiceRequest, Response = ServiceResponse<E>, Error = actix_web::Error> + 'static,
    E: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = LocalFuture<Result<Self::Response, Self::Error>>;

    forward_ready!(plain);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        if compressible(req.path()) {
            let answer = self.compressed.call(req);
            Box::pin(async move { Ok(answer.await?.map_into_boxed_body()) })
        } else {
            let answer = self.plain.call(req);
            Box::pin(async move { Ok(answer.await?.map_into_boxed_body()) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::compressible;

    #[test]
    fn api_answers_are_compressible_except_auth() {
        for path in [
            "/api/field/working-set",
            "/api/enclaves",
            "/api/sync/pull",
            "/api/nope",
        ] {
            assert!(compressible(path), "{path}");
        }
        for path in [
            "/api/auth/login",
            "/api/auth/refresh",
            "/api/auth/password",
            "/field_bg.wasm",
            "/office_bg.wasm",
            "/",
            "/healthz",
            "/apiary",
        ] {
            assert!(!compressible(path), "{path}");
        }
    }
}
