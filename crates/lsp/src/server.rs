//! The protocol: the handshake, then one message at a time — requests answered from the
//! workspace as it is, notifications changing it and sending the diagnostics that changed.

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response, ResponseError};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions, CompletionResponse,
    DocumentSymbolResponse, GotoDefinitionResponse, InitializeParams, InitializeResult, OneOf,
    PublishDiagnosticsParams, RenameOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, Url,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::navigate::Refused;
use crate::position::Encoding;
use crate::workspace::{Doc, Publish, Workspace};
use crate::{actions, completion, hover, navigate, outline, Error};

/// Serves one client on `connection` until it shuts down or goes away.
pub fn serve(connection: Connection) -> Result<(), Error> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    // `HUIQI_LANG` first, as for `huiqi check`; else the editor's own language; else Chinese.
    let asked = std::env::var("HUIQI_LANG").ok().or_else(|| params.locale.clone());
    crate::diagnostics::set_locale(asked.as_deref().and_then(huiqi_dsl::Locale::parse).unwrap_or_default());
    let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_deref());
    let encoding = Encoding::negotiate(offered);
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "huiqi".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let mut workspace = Workspace::new(encoding);
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                let response = answer(&workspace, request);
                connection.sender.send(Message::Response(response))?;
            }
            Message::Notification(notification) => {
                for publish in notice(&mut workspace, notification) {
                    let params = PublishDiagnosticsParams::new(publish.uri, publish.diagnostics, None);
                    let message = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
                    connection.sender.send(Message::Notification(message))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        // Whole texts: a policy file is a few KB, and the server parses it whole anyway.
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["\"".into(), "“".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: lsp_types::WorkDoneProgressOptions::default(),
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// Changes the workspace; returns the diagnostics to send.
pub fn notice(workspace: &mut Workspace, notification: Notification) -> Vec<Publish> {
    fn params<P: DeserializeOwned>(n: Notification) -> Option<P> {
        serde_json::from_value(n.params).ok()
    }
    match notification.method.as_str() {
        DidOpenTextDocument::METHOD => match params::<lsp_types::DidOpenTextDocumentParams>(notification) {
            Some(p) => workspace.open(&p.text_document.uri, p.text_document.text),
            None => Vec::new(),
        },
        // Full sync: the last change is the whole text.
        DidChangeTextDocument::METHOD => {
            match params::<lsp_types::DidChangeTextDocumentParams>(notification)
                .and_then(|p| Some((p.text_document.uri, p.content_changes.into_iter().last()?)))
            {
                Some((uri, change)) => workspace.open(&uri, change.text),
                None => Vec::new(),
            }
        }
        DidCloseTextDocument::METHOD => match params::<lsp_types::DidCloseTextDocumentParams>(notification) {
            Some(p) => workspace.close(&p.text_document.uri),
            None => Vec::new(),
        },
        DidChangeWatchedFiles::METHOD => match params::<lsp_types::DidChangeWatchedFilesParams>(notification)
        {
            Some(p) => p.changes.iter().flat_map(|c| workspace.disk_changed(&c.uri)).collect(),
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Answers one request from the workspace as it is.
pub fn answer(workspace: &Workspace, request: Request) -> Response {
    let Request { id, method, params } = request;
    let result = match method.as_str() {
        HoverRequest::METHOD => on::<HoverRequest>(
            workspace,
            params,
            |p| &p.text_document_position_params.text_document.uri,
            |doc, p| Ok(hover::hover(doc, p.text_document_position_params.position)),
        ),
        Completion::METHOD => on::<Completion>(
            workspace,
            params,
            |p| &p.text_document_position.text_document.uri,
            |doc, p| {
                Ok(Some(CompletionResponse::List(completion::complete(
                    doc,
                    p.text_document_position.position,
                ))))
            },
        ),
        GotoDefinition::METHOD => on::<GotoDefinition>(
            workspace,
            params,
            |p| &p.text_document_position_params.text_document.uri,
            |doc, p| {
                Ok(Some(GotoDefinitionResponse::Array(navigate::definition(
                    doc,
                    p.text_document_position_params.position,
                ))))
            },
        ),
        References::METHOD => on::<References>(
            workspace,
            params,
            |p| &p.text_document_position.text_document.uri,
            |doc, p| {
                Ok(Some(navigate::references(
                    doc,
                    p.text_document_position.position,
                    p.context.include_declaration,
                )))
            },
        ),
        PrepareRenameRequest::METHOD => on::<PrepareRenameRequest>(
            workspace,
            params,
            |p| &p.text_document.uri,
            |doc, p| navigate::prepare_rename(doc, p.position),
        ),
        Rename::METHOD => on::<Rename>(
            workspace,
            params,
            |p| &p.text_document_position.text_document.uri,
            |doc, p| navigate::rename(doc, p.text_document_position.position, &p.new_name),
        ),
        Formatting::METHOD => {
            on::<Formatting>(workspace, params, |p| &p.text_document.uri, |doc, _| Ok(actions::format(doc)))
        }
        CodeActionRequest::METHOD => on::<CodeActionRequest>(
            workspace,
            params,
            |p| &p.text_document.uri,
            |doc, p| Ok(Some(actions::quick_fixes(doc, p.range))),
        ),
        DocumentSymbolRequest::METHOD => on::<DocumentSymbolRequest>(
            workspace,
            params,
            |p| &p.text_document.uri,
            |doc, _| Ok(Some(DocumentSymbolResponse::Nested(outline::symbols(doc)))),
        ),
        _ => Err(ResponseError {
            code: ErrorCode::MethodNotFound as i32,
            message: format!("不支持的请求 `{method}`"),
            data: None,
        }),
    };
    Response { id, response_result: result }
}

/// Reads a request's parameters, finds its document and answers; a document the server does not
/// hold (never opened) gets an empty answer, since the editor asks before it sends the text.
fn on<R>(
    workspace: &Workspace,
    params: Value,
    uri: impl Fn(&R::Params) -> &Url,
    handle: impl FnOnce(&Doc<'_>, R::Params) -> Result<R::Result, Refused>,
) -> Result<Value, ResponseError>
where
    R: lsp_types::request::Request,
    R::Params: DeserializeOwned,
    R::Result: Serialize,
{
    let params: R::Params = serde_json::from_value(params).map_err(|e| ResponseError {
        code: ErrorCode::InvalidParams as i32,
        message: format!("请求参数无法读取：{e}"),
        data: None,
    })?;
    let Some(doc) = workspace.find(uri(&params)) else { return Ok(Value::Null) };
    let result = handle(&doc, params).map_err(|Refused(message)| ResponseError {
        code: ErrorCode::RequestFailed as i32,
        message,
        data: None,
    })?;
    serde_json::to_value(result).map_err(|e| ResponseError {
        code: ErrorCode::InternalError as i32,
        message: format!("回答无法写成 JSON：{e}"),
        data: None,
    })
}
