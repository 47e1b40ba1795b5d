//! Building answers the way Intercom formats them: JSON bodies, `error.list` errors, list pages.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::store::{Page, PageRequest};

/// Intercom's JSON content type.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// A JSON answer with `status`.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).expect("JSON values serialise");
    let mut response = (status, Body::from(bytes)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    response
}

/// A `200 OK` JSON answer.
pub fn ok(body: &Value) -> Response {
    json_response(StatusCode::OK, body)
}

/// An Intercom error before it becomes an answer: small enough to travel in a `Result`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<&'static str>,
}

impl ApiError {
    /// An error with this status, `code` and human-readable `message`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// An error naming the request field at fault.
    pub fn field(
        status: StatusCode,
        code: &'static str,
        field: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            field: Some(field),
            ..ApiError::new(status, code, message)
        }
    }

    /// `400 parameter_invalid`, naming the query parameter at fault.
    pub fn parameter_invalid(field: &'static str) -> ApiError {
        ApiError {
            field: Some(field),
            ..ApiError::new(
                StatusCode::BAD_REQUEST,
                "parameter_invalid",
                format!("{field} must be a positive integer"),
            )
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(
            self.status,
            &error_body(self.code, &self.message, self.field),
        )
    }
}

/// An `error.list` answer with one error, as every Intercom error is shaped.
pub fn error_list(status: StatusCode, code: &'static str, message: &str) -> Response {
    ApiError::new(status, code, message).into_response()
}

/// `404` with code `not_found`, for unknown ids, unknown paths and sections after 2.9.
pub fn not_found() -> Response {
    error_list(StatusCode::NOT_FOUND, "not_found", "Resource Not Found")
}

/// The `error.list` body; `field` appears only when given.
pub fn error_body(code: &str, message: &str, field: Option<&str>) -> Value {
    let mut error = json!({ "code": code, "message": message });
    if let Some(field) = field {
        error["field"] = json!(field);
    }
    json!({ "type": "error.list", "request_id": request_id(), "errors": [error] })
}

/// A list answer with pages: `{"type":"list","data":..,"total_count":..,"pages":{..}}`.
/// `total_pages` is at least 1, even for an empty list, as the real API answers.
pub fn list_page(page: Page, request: PageRequest) -> Response {
    let total_pages = page.total.div_ceil(request.per_page).max(1);
    ok(&json!({
        "type": "list",
        "data": page.items,
        "total_count": page.total,
        "pages": {
            "type": "pages",
            "page": request.page,
            "per_page": request.per_page,
            "total_pages": total_pages,
        },
    }))
}

/// A random version-4-UUID-shaped request id, as Intercom puts in every error.
pub fn request_id() -> String {
    let bits: u128 = rand::random();
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        // The variant nibble: 8, 9, a or b.
        ["8", "9", "a", "b"][(bits & 3) as usize],
        &hex[17..20],
        &hex[20..32]
    )
}
