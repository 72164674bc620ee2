// The huiqi extension: starts `huiqi lsp` (the language server, crates/lsp) over stdio for
// `.hq` files. Plain JavaScript, so the extension needs no build step of its own.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function start() {
  const config = vscode.workspace.getConfiguration('huiqi');
  const command = config.get('server.path') || 'huiqi';
  const server = { command, args: ['lsp'], transport: TransportKind.stdio };
  client = new LanguageClient(
    'huiqi',
    'huiqi 语言服务',
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: 'file', language: 'huiqi' },
        { scheme: 'untitled', language: 'huiqi' },
      ],
      // Files of the library changed outside the editor (a pull, another program) are read again.
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.hq') },
    },
  );
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `无法启动 huiqi 语言服务（${command} lsp）：${error.message}。请安装 huiqi，或在设置 huiqi.server.path 中填写它的路径。`,
    );
  });
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('huiqi.restartServer', async () => {
      if (client) {
        await client.stop();
      }
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('huiqi.server.path')) {
        await vscode.commands.executeCommand('huiqi.restartServer');
      }
    }),
  );
  return start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
