//go:build !linux

package view

import "errors"

// startXvfb is Linux-only: elsewhere the window tests need a display of their own (DISPLAY on
// the BSDs) or skip.
func startXvfb() (string, func(), error) {
	return "", nil, errors.New("the tests start Xvfb on Linux only")
}
