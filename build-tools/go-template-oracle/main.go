// Command go-template-oracle renders Go text/template templates the way Cluster API renders ClusterClass
// patch templates, so tests can check the library's TypeScript evaluator against real Go.
//
// Input: one JSON object per line on stdin, {"template": "...", "data": <any JSON>}.
// Output: one JSON object per line on stdout, {"ok":true,"output":"..."} or {"ok":false,"error":"..."}.
//
// It mirrors renderValueTemplate and calculateTemplateData in kubernetes-sigs/cluster-api
// core/reconcilers/topology/cluster/patches/inline/json_patch_generator.go (v1.14.0, commit
// 560d4acf507bc7cac34b2da449fa5cd53eaeb149): template.New("tpl").Funcs(sprig.HermeticTxtFuncMap()),
// data decoded with encoding/json into interface{} (every number a float64). It stops at the rendered
// text: CAPI's YAML parse of that text is mirrored in TypeScript and tested there.
//
// Built in GOPATH mode from Debian's packages (golang-go, golang-github-masterminds-sprig-dev), so
// it needs no module download.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"text/template"

	// Debian ships sprig v3 at its v1 import path; GOPATH mode cannot resolve the /v3 suffix.
	sprig "github.com/Masterminds/sprig"
)

type request struct {
	Template string          `json:"template"`
	Data     json.RawMessage `json:"data"`
}

type response struct {
	Ok     bool    `json:"ok"`
	Output *string `json:"output,omitempty"`
	Error  *string `json:"error,omitempty"`
}

func render(req request) (out string, err error) {
	// A template that panics inside a func (sprig has a few) must not end the batch.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	tpl, err := template.New("tpl").Funcs(sprig.HermeticTxtFuncMap()).Parse(req.Template)
	if err != nil {
		return "", err
	}
	var data interface{}
	if len(req.Data) > 0 {
		if err := json.Unmarshal(req.Data, &data); err != nil {
			return "", err
		}
	}
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for in.Scan() {
		var req request
		var resp response
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			msg := "bad request: " + err.Error()
			resp.Error = &msg
		} else if s, err := render(req); err != nil {
			msg := err.Error()
			resp.Error = &msg
		} else {
			resp.Ok = true
			resp.Output = &s
		}
		if err := enc.Encode(resp); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
