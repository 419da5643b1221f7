/** `autopilot.newPayload`: a new untitled `*.autopilot.json` with the schema's "New import file" snippet. */
import * as vscode from 'vscode';

interface Snippet {
  readonly label: string;
  readonly body: unknown;
}

/** The schema's own new-file snippet, so the command and the editor's completion offer the same template. */
async function newFileSnippet(): Promise<vscode.SnippetString> {
  const schema = (await import('../../schemas/autopilot-import.schema.json')) as { defaultSnippets: Snippet[] };
  const snippet = schema.defaultSnippets.find((candidate) => candidate.label === 'New import file') ?? schema.defaultSnippets[0]!;
  return new vscode.SnippetString(JSON.stringify(snippet.body, null, 2));
}

async function untitledName(folder: vscode.Uri | undefined): Promise<vscode.Uri> {
  const open = new Set(vscode.workspace.textDocuments.map((document) => document.uri.path));
  for (let attempt = 1; ; attempt += 1) {
    const name = `devices${attempt === 1 ? '' : `-${attempt}`}.autopilot.json`;
    const path = folder ? vscode.Uri.joinPath(folder, name).path : name;
    if (open.has(path)) continue;
    if (folder) {
      try {
        await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, name));
        continue;
      } catch {
        // No such file: the name is free.
      }
    }
    return vscode.Uri.from({ scheme: 'untitled', path });
  }
}

export async function newPayload(): Promise<vscode.TextEditor> {
  const uri = await untitledName(vscode.workspace.workspaceFolders?.[0]?.uri);
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document);
  await editor.insertSnippet(await newFileSnippet());
  return editor;
}
