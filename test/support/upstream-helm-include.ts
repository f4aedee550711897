// A small Go program that evaluates named templates of a Helm chart's `_helpers.tpl` with Go's own
// text/template, sprig's TxtFuncMap and Helm's `include` (engine.go: `includeFun` executes the named
// template into a string), so tests can check the library's TypeScript copies of chart naming rules
// against the pinned chart bytes. Built once per Go version and source (cached in the OS temp dir),
// in GOPATH mode against Debian's packaged sprig: no module download.

import { execFileSync } from 'child_process';
import { buildGoProgram, GO_PACKAGES, goToolchain } from './go-build';

/** One line for a skipped test: what to install to run it. */
export const HELM_INCLUDE_MISSING = `Go or sprig absent: apt-get install ${GO_PACKAGES} to check chart helpers with Go`;

const MAIN_GO = String.raw`package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"

	sprig "github.com/Masterminds/sprig"
)

type request struct {
	Helpers string                   ` + '`json:"helpers"`' + String.raw`
	Names   []string                 ` + '`json:"names"`' + String.raw`
	Cases   []map[string]interface{} ` + '`json:"cases"`' + String.raw`
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	t := template.New("helpers")
	funcMap := sprig.TxtFuncMap()
	// Helm removes these two (engine/funcs.go) and adds include; nothing here uses the others.
	delete(funcMap, "env")
	delete(funcMap, "expandenv")
	funcMap["include"] = func(name string, data interface{}) (string, error) {
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	// Helm renders with missingkey=zero (engine.go, non-strict mode).
	t = t.Funcs(funcMap).Option("missingkey=zero")
	if _, err := t.Parse(req.Helpers); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := make([]map[string]string, 0, len(req.Cases))
	for _, data := range req.Cases {
		row := map[string]string{}
		for _, name := range req.Names {
			var buf strings.Builder
			if err := t.ExecuteTemplate(&buf, name, data); err != nil {
				row[name] = "ERROR: " + err.Error()
			} else {
				row[name] = buf.String()
			}
		}
		out = append(out, row)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
`;

let built: string | null | undefined;

/** Whether Go and Debian's sprig sources are installed (cheap: no build). */
export function helmIncludeAvailable(): boolean {
  return goToolchain() !== undefined;
}

/** Path of the program, building it if needed; undefined when Go or sprig is not installed. */
export function helmIncludeProgram(): string | undefined {
  if (built === undefined) built = buildGoProgram('helm-include', MAIN_GO) ?? null;
  return built ?? undefined;
}

/** Evaluates each named template for each data object (Helm's `.`); one row per case, keyed by template name. */
export function renderHelpers(bin: string, helpers: string, names: readonly string[], cases: readonly unknown[]): Array<Record<string, string>> {
  const out = execFileSync(bin, [], { input: JSON.stringify({ helpers, names, cases }), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const rows = JSON.parse(out) as Array<Record<string, string>>;
  if (rows.length !== cases.length) throw new Error(`helm-include answered ${rows.length} of ${cases.length} cases`);
  return rows;
}
