//! Who is calling: a JWT from the platform's single sign-on (or `huiqi token`), verified with the
//! configured key, read into the ledger's [`Principal`]. The ledger decides what each role may
//! do; this module only says who the caller is.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use huiqi_ledger::{Principal, Role};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// What a token says: who (`sub`), the role, and its scope.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TokenClaims {
    /// The person or system.
    pub sub: String,
    /// `enterprise`, `window`, `reviewer`, `payer`, `supervisor` or `admin`.
    pub role: String,
    /// An enterprise's 统一社会信用代码.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// A reviewer's department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// A payer's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<String>,
    /// Expiry, seconds since 1970 (required).
    pub exp: u64,
    /// Issued at.
    #[serde(default)]
    pub iat: u64,
}

impl TokenClaims {
    /// The principal these claims name; `Err` in words when they do not make one.
    pub fn principal(&self) -> Result<Principal, String> {
        let role = Role::parse(&self.role).ok_or_else(|| {
            format!(
                "令牌中的角色 `{}` 无法识别：应为 enterprise、window、reviewer、payer、supervisor 或 admin",
                self.role
            )
        })?;
        let scope = match role {
            Role::Enterprise => self.uscc.as_deref(),
            Role::Reviewer => self.department.as_deref(),
            Role::Payer => self.payer.as_deref(),
            Role::Window | Role::Supervisor | Role::Admin => None,
        };
        Principal::new(self.sub.clone(), role, scope.unwrap_or_default()).map_err(|e| e.to_string())
    }
}

/// The key tokens are checked with.
#[derive(Clone)]
pub struct Auth {
    key: DecodingKey,
    validation: Validation,
}

impl Auth {
    /// HS256 with a shared secret (`HUIQI_JWT_SECRET`).
    pub fn hs256(secret: &[u8]) -> Auth {
        Auth { key: DecodingKey::from_secret(secret), validation: validation(Algorithm::HS256) }
    }

    /// RS256 or ES256 with the sign-on's public key (PEM), whichever it is.
    pub fn public_key(pem: &[u8]) -> Result<Auth, String> {
        if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
            return Ok(Auth { key, validation: validation(Algorithm::RS256) });
        }
        DecodingKey::from_ec_pem(pem)
            .map(|key| Auth { key, validation: validation(Algorithm::ES256) })
            .map_err(|e| format!("公钥既不是 RSA 也不是 EC（P-256）的 PEM：{e}"))
    }

    /// The caller a bearer token names, or why it names none.
    pub fn verify(&self, token: &str) -> Result<Principal, String> {
        let data = jsonwebtoken::decode::<TokenClaims>(token, &self.key, &self.validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => "令牌已过期，请重新登录".to_owned(),
                ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm => "令牌签名无效".to_owned(),
                _ => format!("令牌无法识别：{e}"),
            }
        })?;
        data.claims.principal()
    }
}

fn validation(alg: Algorithm) -> Validation {
    let mut v = Validation::new(alg);
    v.leeway = 30;
    v.validate_exp = true;
    v.required_spec_claims = ["exp", "sub"].iter().map(|s| (*s).to_owned()).collect();
    v
}

/// Signs a token with an HS256 secret, valid for `ttl` from now: `huiqi token`, for tests,
/// scripts and the window.
pub fn issue(secret: &[u8], claims: TokenClaims) -> Result<String, String> {
    claims.principal()?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret))
        .map_err(|e| format!("令牌无法签发：{e}"))
}

/// Seconds since 1970, `ttl` from now (for `exp`), and now (for `iat`).
pub fn expiry(ttl: Duration) -> (u64, u64) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    (now.saturating_add(ttl.as_secs()), now)
}
