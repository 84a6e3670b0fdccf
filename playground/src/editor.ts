/**
 * The model editor: CodeMirror 6 with the matdiff highlighter, diagnostics pushed from
 * the analysis (setDiagnostics), and the Unicode input helpers: a completion list for
 * `\name` and `^T`/`^-1`, and Tab, as in Julia's REPL, turning the sequence just typed
 * into its symbol. Tab does nothing else, so that keyboard users can leave the editor
 * with it (Escape first, when the completion list is open).
 */
import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection } from '@codemirror/view';
import { EditorState, type Extension } from '@codemirror/state';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching } from '@codemirror/language';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import {
  autocompletion,
  acceptCompletion,
  completionStatus,
  type CompletionContext,
  type CompletionResult,
} from '@codemirror/autocomplete';
import { matdiffLanguage, matdiffHighlight } from './language.js';
import { SYMBOLS, symbolEnding } from './symbols.js';

function symbolCompletions(ctx: CompletionContext): CompletionResult | null {
  const slash = ctx.matchBefore(/\\[A-Za-z^\-0-9|]*/);
  if (slash) {
    return {
      from: slash.from,
      options: SYMBOLS.filter((s) => s.typed.startsWith('\\')).map((s) => ({
        label: s.typed,
        detail: s.text,
        info: s.info,
        apply: s.text,
        type: 'text',
      })),
      validFor: /^\\[A-Za-z^\-0-9|]*$/,
    };
  }
  const caret = ctx.matchBefore(/\^(?:T|-1?)?$/);
  if (caret && caret.text.length > 1) {
    return {
      from: caret.from,
      options: SYMBOLS.filter((s) => s.typed.startsWith('^') && s.typed.startsWith(caret.text)).map((s) => ({
        label: s.typed,
        detail: s.text,
        info: s.info,
        apply: s.text,
        type: 'text',
      })),
    };
  }
  return null;
}

/** Tab: accept the open completion, or replace the symbol sequence before the cursor. */
function tabToSymbol(view: EditorView): boolean {
  if (completionStatus(view.state) === 'active') return acceptCompletion(view);
  const sel = view.state.selection.main;
  if (!sel.empty) return false;
  const line = view.state.doc.lineAt(sel.head);
  const before = line.text.slice(0, sel.head - line.from);
  const sym = symbolEnding(before);
  if (!sym) return false;
  const typed = sym.typed.startsWith('\\') ? (/\\[A-Za-z^\-0-9|]+$/.exec(before)?.[0] ?? sym.typed) : sym.typed;
  view.dispatch({
    changes: { from: sel.head - typed.length, to: sel.head, insert: sym.text },
    selection: { anchor: sel.head - typed.length + sym.text.length },
    userEvent: 'input.complete',
  });
  return true;
}

const theme = EditorView.theme({
  '&': { color: 'var(--fg)', backgroundColor: 'var(--editor-bg)', fontSize: '15px', height: '100%' },
  '.cm-content': { fontFamily: 'var(--mono)', caretColor: 'var(--fg)' },
  '.cm-gutters': { backgroundColor: 'var(--panel)', color: 'var(--muted)', border: 'none' },
  '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '&.cm-focused': { outline: '2px solid var(--focus)' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--border)' },
  '.cm-tooltip-autocomplete ul li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--accent-fg)' },
  '.cm-completionDetail': { fontSize: '1.1em', marginLeft: '1em' },
});

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  label: string;
  onChange(text: string): void;
}

export function createEditor(o: EditorOptions): EditorView {
  const extensions: Extension[] = [
    lineNumbers(),
    history(),
    drawSelection(),
    highlightActiveLine(),
    bracketMatching(),
    matdiffLanguage,
    matdiffHighlight,
    lintGutter(),
    autocompletion({ override: [symbolCompletions], activateOnTyping: true, icons: false }),
    keymap.of([{ key: 'Tab', run: tabToSymbol }, ...defaultKeymap, ...historyKeymap]),
    theme,
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ 'aria-label': o.label }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) o.onChange(u.state.doc.toString());
    }),
  ];
  return new EditorView({ parent: o.parent, state: EditorState.create({ doc: o.doc, extensions }) });
}

/** Replaces the diagnostics shown (from the latest analysis). */
export function showDiagnostics(view: EditorView, diagnostics: Diagnostic[]): void {
  view.dispatch(setDiagnostics(view.state, diagnostics));
}

export function setText(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}
