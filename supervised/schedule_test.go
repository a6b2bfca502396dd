package supervised

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorl/gorl/nets"
)

func TestWSDSchedule(t *testing.T) {
	s := newSchedule("wsd", 0.01, 10000).(wsdSchedule)
	if s.Warmup != wsdWarmup {
		t.Fatalf("warmup %d, want %d", s.Warmup, wsdWarmup)
	}
	near := func(step int, want float64) {
		t.Helper()
		if got := s.At(step); math.Abs(got-want) > 1e-12 {
			t.Errorf("step %d: rate %g, want %g", step, got, want)
		}
	}
	near(0, 0.01/wsdWarmup)                  // the warm-up starts above 0
	near(wsdWarmup/2-1, 0.01/2)              // and rises linearly
	near(wsdWarmup, 0.01)                    // to the full rate
	near(6999, 0.01)                         // held until the last 30%
	near(8500, 0.005)                        // a cosine: half way down at the middle of the decay
	near(10000, 0)                           // and 0 at the end
	for step := 7000; step < 10000; step++ { // falling all the way
		if s.At(step+1) > s.At(step) {
			t.Fatalf("the rate rises from step %d to %d", step, step+1)
		}
	}
	// Lengthening the run before its decay starts changes none of the rates taken so far.
	longer := newSchedule("wsd", 0.01, 20000)
	for step := range 7000 {
		if longer.At(step) != s.At(step) {
			t.Fatalf("step %d: %g in a run of 20000, %g in one of 10000", step, longer.At(step), s.At(step))
		}
	}
	// decay_fraction moves the start of the anneal.
	if h := newWSD(1, 1000, 0.5); h.At(499) != 1 || math.Abs(h.At(750)-0.5) > 1e-12 || h.At(999) >= h.At(998) {
		t.Errorf("decay 0.5: rates %g %g", h.At(499), h.At(750))
	}
	// A short run warms up over a tenth of its length.
	if short := newSchedule("wsd", 1, 50).(wsdSchedule); short.Warmup != 5 || short.At(4) != 1 || short.At(50) != 0 {
		t.Errorf("short run: %+v, rate at step 4 %g", short, short.At(4))
	}
	if err := checkSchedule("linear"); err == nil || !strings.Contains(err.Error(), "wsd") {
		t.Errorf("unknown schedule: %v", err)
	}
}

func TestGANRealLabel(t *testing.T) {
	for _, v := range []string{"real_label=0.5", "real_label=1.1"} {
		c := config(t, "gan", v)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "real_label") {
			t.Errorf("%s: %v", v, err)
		}
	}
	if err := config(t, "gan", "real_label=0.9").Validate(); err != nil {
		t.Error(err)
	}
	if err := config(t, "gan", "lr_schedule=linear").Validate(); err == nil || !strings.Contains(err.Error(), "lr_schedule") {
		t.Errorf("lr_schedule=linear: %v", err)
	}
}

// TestGANSchedule: with lr_schedule=cosine both Adams' rate falls over the run.
func TestGANSchedule(t *testing.T) {
	r, _ := train(t, tinyConfig(t, "gan", "lr_schedule=cosine", "real_label=0.9"), t.TempDir())
	rates := metricValues(t, r.Dir, "charts/learning_rate")
	if len(rates) < 3 || rates[0] > 2e-4 || rates[len(rates)-1] >= rates[0]/10 {
		t.Fatalf("learning rates %v: want a cosine from 2e-4 toward 0", rates)
	}
	for i := 1; i < len(rates); i++ {
		if rates[i] > rates[i-1] {
			t.Fatalf("the rate rises: %v", rates)
		}
	}
}

// metricValues returns the values of key in a run's metrics.csv, in order.
func metricValues(t *testing.T, dir, key string) []float64 {
	t.Helper()
	var vs []float64
	for _, line := range strings.Split(string(readFile(t, filepath.Join(dir, MetricsFile))), "\n") {
		f := strings.Split(line, ",")
		if len(f) == 3 && f[1] == key {
			v, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				t.Fatal(err)
			}
			vs = append(vs, v)
		}
	}
	return vs
}

// TestGANDiscriminatorOptions: d_learning_rate, g_steps, d_batch_norm and d_dropout are
// validated, build the discriminator they name and train.
func TestGANDiscriminatorOptions(t *testing.T) {
	for _, v := range []string{"g_steps=0", "d_learning_rate=-1", "d_dropout=1", "d_dropout=-0.1"} {
		if err := config(t, "gan", v).Validate(); err == nil {
			t.Errorf("%s: no error", v)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	count := func(d *nets.Sequential) (bn, drop int) {
		for _, l := range d.Layers {
			switch l.(type) {
			case *nets.BatchNorm2D:
				bn++
			case nets.Dropout:
				drop++
			}
		}
		return bn, drop
	}
	if bn, drop := count(NewDiscriminator(rng, 8, 1, 28, 28, 1, true, 0)); bn != 1 || drop != 0 {
		t.Errorf("the paper's D: %d batch norms, %d dropouts", bn, drop)
	}
	if bn, drop := count(NewDiscriminator(rng, 8, 1, 28, 28, 1, false, 0.3)); bn != 0 || drop != 2 {
		t.Errorf("a dropout D: %d batch norms, %d dropouts", bn, drop)
	}
	r, _ := train(t, tinyConfig(t, "gan", "lr_schedule=constant", "learning_rate=0.0001", "d_learning_rate=0.0004",
		"g_steps=2", "d_batch_norm=false", "d_dropout=0.3", "conditional=false"), t.TempDir())
	if rates := metricValues(t, r.Dir, "charts/learning_rate"); len(rates) == 0 || rates[0] != 1e-4 {
		t.Errorf("generator rates %v: want 1e-4", rates)
	}
	if rates := metricValues(t, r.Dir, "charts/d_learning_rate"); len(rates) == 0 || rates[0] != 4e-4 {
		t.Errorf("discriminator rates %v: want 4e-4", rates)
	}
	if d := metricValues(t, r.Dir, "losses/d_loss"); len(d) == 0 || !finite(d[len(d)-1]) {
		t.Errorf("discriminator losses %v", d)
	}
}

// TestACGAN: conditional=true feeds the generator a one-hot class after the noise, gives the
// discriminator a class head, trains with finite losses, and the noise rows carry the classes.
func TestACGAN(t *testing.T) {
	r, _ := train(t, tinyConfig(t, "gan", "conditional=true", "epochs=1"), t.TempDir())
	task := r.task.(*ganTask)
	if in := task.gen.Layers[0].(*nets.Linear).Weight.Shape[1]; in != 8+10 {
		t.Errorf("generator input %d, want latent 8 + 10 classes", in)
	}
	layers := task.disc.Layers
	if out := layers[len(layers)-1].(*nets.Linear).Weight.Shape[0]; out != 11 {
		t.Errorf("discriminator outputs %d, want 1 + 10 classes", out)
	}
	for _, k := range []string{"losses/d_loss", "losses/g_loss"} {
		if v := metricValues(t, r.Dir, k); len(v) == 0 || !finite(v[len(v)-1]) {
			t.Errorf("%s: %v", k, v)
		}
	}
	z := nets.New(3, 5)
	nets.Constant(z, 7)
	setClasses(z, 3, func(i int) int { return 2 - i })
	want := []float32{7, 7, 0, 0, 1, 7, 7, 0, 1, 0, 7, 7, 1, 0, 0}
	for i := range want {
		if z.Data[i] != want[i] {
			t.Fatalf("setClasses: %v, want %v", z.Data, want)
		}
	}
}
