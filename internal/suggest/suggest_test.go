package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"kitten", "sitting", 3},
		{"cartpole", "cartpole", 0}, {"cartpol", "cartpole", 1}, {"flaw", "lawn", 2},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetry)", c.b, c.a, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"learning_rate", "gamma", "batch_size", "buffer_size", "CartPole-v1"}
	for _, c := range []struct{ s, want string }{
		{"learning_rat", "learning_rate"}, // a letter missing
		{"gamma", "gamma"},                // exact
		{"GAMMA", "gamma"},                // case is ignored
		{"batch", "batch_size"},           // a prefix of the candidate
		{"cartpole-v1", "CartPole-v1"},
		{"buffer_sise", "buffer_size"},
		{"lr", ""},           // too far from everything
		{"zzzzzzzzzzzz", ""}, // nothing alike
	} {
		if got := Closest(c.s, names); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.s, got, c.want)
		}
	}
	if got := Closest("x", nil); got != "" {
		t.Errorf("Closest with no candidates = %q, want \"\"", got)
	}
}
