// Package apperr classifies errors so that the web layer knows what to show.
//
// Domain functions return *Error for anything a user can cause or should be
// told about; everything else is an internal error, logged with the request id
// and shown only as that id.
package apperr

import (
	"errors"
	"fmt"
)

// Kind says what sort of failure an error is.
type Kind uint8

// The error kinds. Internal is the zero value so that an unclassified error
// is never shown to a user.
const (
	Internal     Kind = iota // a bug or an outage: logged, shown only as a request id
	Invalid                  // the user can correct the input
	NotFound                 // the record does not exist or is outside the actor's scope
	Forbidden                // the actor may not do this
	Conflict                 // duplicate code, stale edit, record in use
	Unauthorized             // no valid session
)

// Error is an error a user may see. Msg and Fields are safe to show; Err is logged only.
type Error struct {
	Kind   Kind
	Msg    string
	Fields map[string]string // form field name → message
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// NotFoundf returns a NotFound error with a user-facing message.
func NotFoundf(format string, a ...any) error {
	return &Error{Kind: NotFound, Msg: fmt.Sprintf(format, a...)}
}

// Forbiddenf returns a Forbidden error with a user-facing message.
func Forbiddenf(format string, a ...any) error {
	return &Error{Kind: Forbidden, Msg: fmt.Sprintf(format, a...)}
}

// Conflictf returns a Conflict error with a user-facing message.
func Conflictf(format string, a ...any) error {
	return &Error{Kind: Conflict, Msg: fmt.Sprintf(format, a...)}
}

// Invalidf returns an Invalid error with a message not tied to one field.
func Invalidf(format string, a ...any) error {
	return &Error{Kind: Invalid, Msg: fmt.Sprintf(format, a...)}
}

// InvalidFields returns an Invalid error carrying one message per form field.
func InvalidFields(f map[string]string) error {
	return &Error{Kind: Invalid, Msg: "请检查填写的内容", Fields: f}
}

// Unauthorizedf returns an Unauthorized error.
func Unauthorizedf(format string, a ...any) error {
	return &Error{Kind: Unauthorized, Msg: fmt.Sprintf(format, a...)}
}

// KindOf reports the kind of err; errors that are not *Error are Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Fields collects field messages while validating a form. The zero value is ready to use.
type Fields map[string]string

// Add records msg for field unless the field already has a message (the first problem is the one to show).
func (f *Fields) Add(field, msg string) {
	if *f == nil {
		*f = Fields{}
	}
	if _, ok := (*f)[field]; !ok {
		(*f)[field] = msg
	}
}

// Err returns an Invalid error when any field has a message, else nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return InvalidFields(f)
}

// FieldsOf returns the field messages carried by err (nil when none).
func FieldsOf(err error) map[string]string {
	if e, ok := As(err); ok {
		return e.Fields
	}
	return nil
}
