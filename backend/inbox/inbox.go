// Package inbox seals files for a vault whose keys are not at hand. Each
// vault holds an age identity: its public recipient is stored in the clear,
// its private half sealed under the vault's data key. A server that receives
// records while the patient is signed out (an admin import, a later sync)
// encrypts them to the recipient with Seal and files them in the vault's
// inbox; it can add to the inbox but never read it. At the patient's next
// unlock the identity is opened, each file opened with Open and merged
// through the normal intake path.
//
// A sealed file is one age file (hybrid ML-KEM-768 + X25519 recipient, so
// post-quantum) whose plaintext is a small header followed by the data:
//
//	version (1 byte, 1) | len(name) (1 byte) | name | data
package inbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
)

// MaxSize bounds the data of one sealed file.
const MaxSize = 256 << 20

// MaxName bounds a file name, in bytes.
const MaxName = 255

const headerVersion = 1

var (
	// ErrTooLarge means the data is over MaxSize.
	ErrTooLarge = errors.New("inbox: file is too large")
	// ErrBadName means a file name is empty, too long or has a path in it.
	ErrBadName = errors.New("inbox: bad file name")
	// ErrNotForThisVault means the file was sealed to another vault's
	// recipient.
	ErrNotForThisVault = errors.New("inbox: file was sealed for another vault")
	// ErrDamaged means the file is not a whole, unaltered inbox file.
	ErrDamaged = errors.New("inbox: file is damaged")
	// ErrBadKey means a recipient or identity did not parse.
	ErrBadKey = errors.New("inbox: bad recipient or identity")
)

// NewIdentity makes a new hybrid post-quantum age identity. identity is its
// text form, which the caller seals; recipient is public.
func NewIdentity() (recipient string, identity []byte, err error) {
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return "", nil, err
	}
	return id.Recipient().String(), []byte(id.String()), nil
}

func checkName(name string) error {
	if name == "" || len(name) > MaxName || name == "." || name == ".." ||
		strings.ContainsAny(name, "/\\\x00") {
		return fmt.Errorf("%w: %q", ErrBadName, name)
	}
	return nil
}

func parseRecipient(recipient string) (age.Recipient, error) {
	if strings.ContainsAny(recipient, "\n\r") {
		return nil, ErrBadKey
	}
	rs, err := age.ParseRecipients(strings.NewReader(recipient))
	if err != nil || len(rs) != 1 {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	return rs[0], nil
}

// Seal encrypts data, filed under name, to recipient.
func Seal(recipient, name string, data []byte) ([]byte, error) {
	if len(data) > MaxSize {
		return nil, ErrTooLarge
	}
	var buf bytes.Buffer
	buf.Grow(len(data) + len(data)>>12 + 4096) // age adds 16 bytes per 64 KiB and a header
	if err := SealReader(recipient, name, bytes.NewReader(data), &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SealReader is Seal streaming from r to w. If r holds more than MaxSize
// bytes it fails with ErrTooLarge, and what it wrote to w is not a whole
// file.
func SealReader(recipient, name string, r io.Reader, w io.Writer) error {
	if err := checkName(name); err != nil {
		return err
	}
	rcpt, err := parseRecipient(recipient)
	if err != nil {
		return err
	}
	enc, err := age.Encrypt(w, rcpt)
	if err != nil {
		return err
	}
	hdr := append([]byte{headerVersion, byte(len(name))}, name...)
	if _, err := enc.Write(hdr); err != nil {
		return err
	}
	n, err := io.Copy(enc, io.LimitReader(r, MaxSize+1))
	if err != nil {
		return err
	}
	if n > MaxSize {
		return ErrTooLarge // enc is left unclosed: the output has no final chunk
	}
	return enc.Close()
}

// Open decrypts a sealed file with identity (as NewIdentity made it). The
// header is read at once; data is read as it streams, and a read error from
// it (truncation, tampering) wraps ErrDamaged. data never yields more than
// MaxSize bytes.
func Open(identity []byte, sealed io.Reader) (name string, data io.Reader, err error) {
	ids, err := age.ParseIdentities(bytes.NewReader(identity))
	if err != nil || len(ids) != 1 {
		return "", nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	dec, err := age.Decrypt(sealed, ids[0])
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			return "", nil, fmt.Errorf("%w: %w", ErrNotForThisVault, err)
		}
		return "", nil, fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	br := bufio.NewReaderSize(dec, 64<<10)
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return "", nil, damaged(err)
	}
	if h[0] != headerVersion {
		return "", nil, fmt.Errorf("%w: unknown header version %d", ErrDamaged, h[0])
	}
	nb := make([]byte, h[1])
	if _, err := io.ReadFull(br, nb); err != nil {
		return "", nil, damaged(err)
	}
	name = string(nb)
	if err := checkName(name); err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	return name, &body{r: br, left: MaxSize}, nil
}

func damaged(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: short header", ErrDamaged)
	}
	return fmt.Errorf("%w: %w", ErrDamaged, err)
}

// body bounds the data and names its errors.
type body struct {
	r    io.Reader
	left int64
	err  error
}

func (b *body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.left <= 0 {
		// One byte more than MaxSize would be too much; EOF is fine.
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			b.err = ErrTooLarge
		} else if err == io.EOF {
			b.err = io.EOF
		} else if err != nil {
			b.err = fmt.Errorf("%w: %w", ErrDamaged, err)
		} else {
			return 0, nil
		}
		return 0, b.err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %w", ErrDamaged, err)
		b.err = err
	}
	return n, err
}
