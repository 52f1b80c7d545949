package passkey

import "testing"

// BenchmarkFinishLogin is the server-side time of verifying one assertion:
// parsing, client data, rpIdHash, flags, ECDSA P-256 signature, sign count
// and the PRF output. Beginning the ceremony is not timed.
func BenchmarkFinishLogin(b *testing.B) {
	s, _ := newService(b)
	a := newSoftAuth(b)
	cred, _ := register(b, s, a)
	creds := []Credential{cred}
	_, opts, _ := s.BeginLogin(testRP, creds)
	body := a.Get(b, withChallenge(b, opts, fuzzChallenge), testRP.Origin)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		id, _, err := s.BeginLogin(testRP, creds)
		if err != nil {
			b.Fatal(err)
		}
		setChallenge(s, id, fuzzChallenge)
		b.StartTimer()
		if _, _, err := s.FinishLogin(id, body, creds); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBeginLogin is the server-side time of making request options.
func BenchmarkBeginLogin(b *testing.B) {
	s, _ := newService(b)
	cred, _ := register(b, s, newSoftAuth(b))
	creds := []Credential{cred}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.BeginLogin(testRP, creds); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFinishRegistration is the server-side time of verifying one
// attestation ("none") and reading the PRF output.
func BenchmarkFinishRegistration(b *testing.B) {
	s, _ := newService(b)
	a := newSoftAuth(b)
	_, opts, _ := s.BeginRegistration(testRP, "patient", nil)
	body := a.Create(b, withChallenge(b, opts, fuzzChallenge), testRP.Origin)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		id, _, err := s.BeginRegistration(testRP, "patient", nil)
		if err != nil {
			b.Fatal(err)
		}
		setChallenge(s, id, fuzzChallenge)
		b.StartTimer()
		if _, _, err := s.FinishRegistration(id, body); err != nil {
			b.Fatal(err)
		}
	}
}
