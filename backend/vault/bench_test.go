package vault

import (
	"crypto/rand"
	"fmt"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

var benchSizes = []int{256, 1024, 16 * 1024}

func sizeName(n int) string {
	if n >= 1024 {
		return fmt.Sprintf("%dKiB", n/1024)
	}
	return fmt.Sprintf("%dB", n)
}

// BenchmarkSeal measures SealTo into a reused buffer: nonce from
// crypto/rand, AD encoding, the read lock and XChaCha20-Poly1305.
func BenchmarkSeal(b *testing.B) {
	k := testKeys(b)
	k.rand = rand.Reader
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			pt := make([]byte, n)
			dst := make([]byte, 0, n+Overhead)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.SealTo(dst[:0], baseAD, pt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	k := testKeys(b)
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			ct, _ := k.Seal(baseAD, make([]byte, n))
			dst := make([]byte, 0, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.OpenTo(dst[:0], baseAD, ct); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRawXChaCha is the floor: XChaCha20-Poly1305 on the same bytes
// with a pre-made nonce and no AD.
func BenchmarkRawXChaCha(b *testing.B) {
	aead, _ := chacha20poly1305.NewX(seq(0, 32))
	nonce := seq(0, 24)
	for _, n := range benchSizes {
		pt := make([]byte, n)
		dst := make([]byte, 0, n+aead.Overhead())
		b.Run("Seal/"+sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				aead.Seal(dst[:0], nonce, pt, nil)
			}
		})
		ct := aead.Seal(nil, nonce, pt, nil)
		b.Run("Open/"+sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := aead.Open(dst[:0], nonce, ct, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkIndex(b *testing.B) {
	k := testKeys(b)
	b.ReportAllocs()
	for b.Loop() {
		k.Index("org-1", "Observation", "9f1d2c3a-6b7e-4f80-a1b2-c3d4e5f60718")
	}
}

// BenchmarkUnlockPassword is one sign-in at DefaultArgon2Params.
func BenchmarkUnlockPassword(b *testing.B) {
	k := testKeys(b)
	pw := NewPassword([]byte("a long passphrase"))
	s, err := k.AddSlot(pw)
	if err != nil {
		b.Fatal(err)
	}
	slots := []Slot{s}
	for b.Loop() {
		u, err := Unlock("vault-1", slots, pw)
		if err != nil {
			b.Fatal(err)
		}
		u.Destroy()
	}
}
