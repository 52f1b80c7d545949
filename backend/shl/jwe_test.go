package shl

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

func testKey(t testing.TB) []byte {
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

func TestEncryptDecrypt(t *testing.T) {
	key := testKey(t)
	body := []byte(`{"resourceType":"Bundle","type":"collection"}`)
	a, err := Encrypt(key, ContentTypeFHIR, body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Encrypt(key, ContentTypeFHIR, body)
	if a == b {
		t.Fatal("two encryptions are identical")
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	if len(pa) != 5 || pa[1] != "" || pa[2] == pb[2] {
		t.Fatalf("IVs not fresh or not dir: %q %q", pa, pb)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(pa[0])
	var h map[string]any
	json.Unmarshal(hdr, &h)
	if h["alg"] != "dir" || h["enc"] != "A256GCM" || h["cty"] != ContentTypeFHIR || len(h) != 3 {
		t.Fatalf("header %s", hdr)
	}
	ct, pt, err := Decrypt(key, a)
	if err != nil || ct != ContentTypeFHIR || !bytes.Equal(pt, body) {
		t.Fatalf("Decrypt: %q %q %v", ct, pt, err)
	}
	if _, _, err := Decrypt(testKey(t), a); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("wrong key: %v", err)
	}
	// Tampered ciphertext.
	pa[3] = "A" + pa[3][1:]
	if pa[3] == strings.Split(a, ".")[3] {
		pa[3] = "B" + pa[3][1:]
	}
	if _, _, err := Decrypt(key, strings.Join(pa, ".")); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("tampered: %v", err)
	}
	if _, err := Encrypt(key[:16], ContentTypeFHIR, body); err == nil {
		t.Fatal("short key accepted")
	}
	if _, _, err := Decrypt(key[:16], a); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestDecryptRefusesOtherAlgorithms(t *testing.T) {
	key := testKey(t)
	mk := func(enc jose.ContentEncryption, alg jose.KeyAlgorithm, k any) string {
		e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: k}, nil)
		if err != nil {
			t.Fatal(err)
		}
		o, err := e.Encrypt([]byte("{}"))
		if err != nil {
			t.Fatal(err)
		}
		s, _ := o.CompactSerialize()
		return s
	}
	for name, s := range map[string]string{
		"A256KW":        mk(jose.A256GCM, jose.A256KW, key),
		"A256GCMKW":     mk(jose.A256GCM, jose.A256GCMKW, key),
		"A256CBC-HS512": mk(jose.A256CBC_HS512, jose.DIRECT, append(key, key...)),
		"A128GCM":       mk(jose.A128GCM, jose.DIRECT, key[:16]),
		"PBES2":         mk(jose.A256GCM, jose.PBES2_HS256_A128KW, key),
	} {
		if _, _, err := Decrypt(key, s); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	// alg "none"-style and garbage.
	for _, s := range []string{"", "a.b.c.d.e", "eyJhbGciOiJub25lIn0....", strings.Repeat(".", 4)} {
		if _, _, err := Decrypt(key, s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

// The "Example Encryption" output from the specification, decrypted with the
// example key.
func TestDecryptSpecExample(t *testing.T) {
	key, _ := base64.RawURLEncoding.DecodeString("rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q")
	ct, pt, err := Decrypt(key, specJWE)
	if err != nil {
		t.Fatalf("spec example: %v", err)
	}
	var v struct {
		VerifiableCredential []string `json:"verifiableCredential"`
	}
	if ct != ContentTypeSHC || json.Unmarshal(pt, &v) != nil || len(v.VerifiableCredential) != 1 ||
		!strings.HasPrefix(v.VerifiableCredential[0], "eyJ6aXAiOiJERUYiLCJhbGciOiJFUzI1NiIsImtpZCI6IjNLZmRnLVh3UC03Z1h5eXd0VWZVQUR3QnVtRE9QS01ReC1pRUxMMTFX") {
		t.Fatalf("cty %q plaintext %.200s", ct, pt)
	}
}

const specJWE = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiY3R5IjoiYXBwbGljYXRpb24vc21hcnQtaGVhbHRoLWNhcmQifQ..B9Bd5AW751az-gEx.iah6mxLb5TQe2ZfCwEUs4R1t8WoP0mnFc-TUzN1NIyzUeDwJNOcxv4CY8wV6ys4Dicnr3IhqTvVU1RbR-4eq1GCd4g96faV8_0MbHwXzP246Tz9BDLhQ2zlAjYqvvCi_JuWdyWqGhKeWGX1XibNHFzzVT0FmYensfKF4o0uSeZWQDKVEEhzMSKuALMpUkfwHcmCRfLT-ctANSxq-Zj0IIeT66XbztOomStjlfi-F-FaqBGZfHOARCVvT143CTYELLJCUdD4qUVkrNuLmRZrNuqVpY0g5BjABswkIoDmyoRJAEohuZCamZNA--p-uRqJjRefED1eMrKSppabV2ugaqoFlieujTOE-a3VKib9aC-lFsmLalkwh9ctr_FZqS9H46rqGjGcOxtAXalo1jkMPGupVsE1W-xIH14wbPCYcgfldH9SH7X60462kxD8OFdHpvnnfAvjQnaE4QDqasT5ySpBRtck4GVxs2IRBt62-kOlzoI8lHapLdwIms-Gdt7z38E47ZE3afE4IIbobPGz7wGvjbi3z234ARvGQ4jREgPQb1NRYAEtZlrZNzR6N7ofXD8jF502tw-QWI_Ox0jFP5tynIiMp-hG25ecQ0s4MzPHFC0ZABPamgg3MS-UILl76gMDCHS5Te_JAXZoC1HnkETw5M217SaG5ISAU0F5qETMREfTjZR9E45MDhnw7uY1vo2lffRB3ei1QqGuLh0gUnVU7TUfFYwcOqV15sb0t1lMj0mmyG5v-_dE9H6dYtRKJARltmdfSmc1HisBewx75Xh5ChJQ1hiCEDaZ1wqFjsFJ6SrKgJ7C1N7vx6QKx8YXwFH7ePG2qG39leT5JKZnqAvi9fqc6x-YwfhSjbRKGZoj2o55Fd2fbwtK6CXpiW6AekT7PUcl_7ynTq-DaQ_Yc29WwtmgapcCRNpfcMsoqCD4giu1V3Sj5DQLglwuk1gAMcuV5fo8JpABu2_is83WZ_GJ1WWMUxyZGq6u-EGuZrP96Yewb7-zfnt2lao_LJg1ef5cqDTW7-0MS27wkmLiIi0e-PYvS-UfWVHg1oNbR-MHXMVEQ6gqNg08IgEyPDSFCUbf75HuMILN80bQNtSlFj6FR7uNKHr8sigvKI80k.5flOKKmeqYm0TamwROr8Nw"

func TestEmbeddedLengthExact(t *testing.T) {
	key := testKey(t)
	for _, ct := range []string{ContentTypeFHIR, ContentTypeSHC, ContentTypeAPIAccess} {
		for _, n := range []int{0, 1, 2, 3, 4, 100, 1000, 100 << 10} {
			f := File{ContentType: ct, Body: bytes.Repeat([]byte("x"), n)}
			s, err := Encrypt(key, ct, f.Body)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(s)) != embeddedLength(f) {
				t.Fatalf("%s %d: len %d, predicted %d", ct, n, len(s), embeddedLength(f))
			}
		}
	}
}

func TestPasscodeHash(t *testing.T) {
	h, err := HashPasscode("1234")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(h), "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("%s", h)
	}
	h2, _ := HashPasscode("1234")
	if bytes.Equal(h, h2) {
		t.Fatal("salt not random")
	}
	if ok, err := CheckPasscode(h, "1234"); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, err := CheckPasscode(h, "1235"); ok || err != nil {
		t.Fatal(ok, err)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"} {
		if _, err := CheckPasscode([]byte(bad), "x"); !errors.Is(err, ErrBadHash) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
