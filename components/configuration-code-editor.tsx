"use client";
// CodeMirror 6 with JSON mode and a linter: loaded only by the configuration page, through
// next/dynamic (configuration-editor.tsx), so no other page carries it.
import { json } from "@codemirror/lang-json";
import { type Diagnostic, linter, lintGutter } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { useEffect, useRef } from "react";
import { checkConfigurationText } from "@/lib/configurations/check-json";

export type CodeEditorProps = {
  value: string;
  onChange: (text: string) => void;
  schema?: Record<string, unknown> | null;
  label: string;
  minHeight?: string;
};

const theme = EditorView.theme({
  "&": { fontSize: "13px", border: "1px solid rgb(212 212 216)", borderRadius: "0.5rem", backgroundColor: "white" },
  "&.cm-focused": { outline: "2px solid rgb(99 102 241)", outlineOffset: "1px" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace" },
  ".cm-gutters": { borderTopLeftRadius: "0.5rem", borderBottomLeftRadius: "0.5rem" },
});

export default function ConfigurationCodeEditor({ value, onChange, schema, label, minHeight = "16rem" }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, schema });
  useEffect(() => {
    latest.current = { onChange, schema };
  });

  useEffect(() => {
    const lint = linter((v): Diagnostic[] => {
      const checked = checkConfigurationText(v.state.doc.toString(), latest.current.schema);
      return checked.ok ? [] : [{ from: checked.problem.from, to: checked.problem.to, severity: "error", message: checked.problem.message }];
    }, { delay: 300 });
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          json(),
          lint,
          lintGutter(),
          theme,
          EditorView.theme({ ".cm-content, .cm-gutter": { minHeight } }),
          EditorView.contentAttributes.of({ "aria-label": label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latest.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once; a new `value` from outside (reload, rollback) is applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div ref={host} data-testid="code-editor" className="min-w-0 text-zinc-900" />;
}
