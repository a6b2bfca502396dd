// Package suggest finds the name a user most likely meant when a flag, a config key, an env ID
// or an algorithm is misspelt, so that every error for an unknown name can say "did you mean".
// It is one small piece of code shared by env, run, supervised and the commands, so that they
// all judge typos alike.
package suggest

import (
	"math"
	"strings"
)

// Distance is the Levenshtein edit distance between a and b, counted in bytes.
func Distance(a, b string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns the candidate nearest to s when it is near enough to be a plausible typo, or
// "" when none is. Case is ignored; a candidate that s begins (the user typed part of it), or
// that begins s, counts as distance 2 at most; the nearest must be within a third of the longer
// string's length (at least 2), so that "lr" suggests nothing for "gamma". Ties go to the
// earlier candidate.
func Closest(s string, candidates []string) string {
	best, bestD := "", math.MaxInt
	ls := strings.ToLower(s)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := Distance(ls, lc)
		if strings.HasPrefix(lc, ls) || strings.HasPrefix(ls, lc) {
			d = min(d, 2)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(2, max(len(s), len(best))/3) {
		return ""
	}
	return best
}
