// Package driving is gorl's driving world: one vehicle and road model and the scenarios built
// on it, Racetrack-v0 (CarRacing's task) and Highway-v0 (highway-env's), fast enough to train on
// millions of steps. Import it, or github.com/gorl/gorl/env/all, for its side effect of
// registering them:
//
//	e, err := env.Make("racetrack", nil)                              // Racetrack-v0
//	h, err := env.Make("highway", env.Options{"vehicles_count": 20}) // Highway-v0
//	v, err := env.MakeVector("highway", 16, nil, 0)                   // 16 copies over every core
//
// # Vehicle model
//
// Every vehicle is a kinematic bicycle (Bicycle): wheelbase L, reference point lr ahead of the
// rear axle, wheel angle δ with a limit and optionally a rate limit, acceleration and speed
// limits. Bicycle.Step integrates it exactly for inputs held over the step (the reference point
// runs on a circular arc of curvature cos β·tan δ / L, β = atan(lr·tan δ / L)), so constant
// steering drives the rear axle around a circle of radius L/tan δ at any step size. The race
// car (RaceCar) adds an engine, brakes, drag, grass, and a grip limit that makes it understeer.
// Footprints are oriented boxes; Overlap tests two of them with the separating axis theorem.
//
// # Roads
//
// A Lane is a centreline of Segments, straight lines and circular arcs, with a width and a
// speed limit; points near it have local coordinates (s along it, r across it, highway-env's
// sign) and the lane has a heading and a curvature at every s. The highway's lanes are single
// lines; the racetrack is one closed lane of short lines, CarRacing's tiles (Track,
// GenerateTrack).
//
// # Traffic
//
// Traffic runs highway-env's IDMVehicle on a road of parallel lanes: IDM (Treiber et al.) for
// the speed with highway-env's parameters and a per-vehicle exponent, MOBIL (Kesting et al.)
// for lane changes once a second, highway-env's lane and heading controllers for steering, and
// collisions between footprints. Each step keeps highway-env's synchronous update at a fixed
// simulation frequency, while the agent acts at a lower policy frequency. See Traffic for how it
// runs in O(1) per vehicle: a sorted struct-of-arrays row per lane instead of scans over all
// vehicles, swept by AVX-512 or AVX2 kernels in Go assembly (with a portable Go sweep, which
// the purego build tag selects too, that they match bit for bit), a fast path for the vehicles
// that keep their lane, and lane changes integrated in the lanes' frame.
//
// Where it departs from highway-env, on purpose: a vehicle ending a lane change is snapped
// onto its lane's centreline once within 1 cm and 1 mrad of it (highway-env's controller
// would keep converging); IDM's desired gap is kept from going negative behind a much faster
// leader; the elementary functions of the hot paths are series and fast paths accurate to
// 1e-14 (the IDM's (v/v0)^δ between 70% and 115% of v0, the arc sine of the heading reference)
// or 1e-10 (the IDM's power elsewhere), see powSeries, powPos and asin. Nothing is skipped for
// vehicles far from the ego: every vehicle is simulated at every step.
//
// # Scenarios
//
// Racetrack and Highway document their spaces, rewards and options in Gymnasium's template.
// Both draw a top-down view that follows the car with package render (Render), and
// Racetrack's pixel observations are the same view at 96×96 RGB or 84×84 grayscale.
//
// There is no third scenario: highway-env's merge-v0 and intersection-v0 do not fit the
// traffic model cheaply. Traffic's speed comes from its lanes being straight, parallel and as
// long as the road, sharing one longitudinal coordinate: that is what makes a lane's vehicles
// one sorted row, a vehicle's neighbours adjacent entries and a lane change a lateral offset in
// one frame. merge-v0 needs an on-ramp that joins the highway at an angle along a sine-shaped
// lane, an acceleration lane that ends at an obstacle, and lane-change and neighbour queries
// between lanes that exist over part of the road only; intersection-v0 needs crossing lanes,
// arcs for the turns and priorities at the junction. Both need lanes as general curves with
// coordinates of their own and neighbour searches across lanes that join or cross: a second
// traffic model rather than options of this one. (The lane and bicycle models, Lane and
// Bicycle, already handle curves: Racetrack drives on them.)
//
// # Vector envs
//
// env.MakeVector runs copies of either scenario with the env package's vector envs, on one
// goroutine or spread over every core; each copy is an independent simulation, so the
// generic parallel vector env scales with the cores without a native batch: 16 Highway-v0
// copies step 1.66 times as fast on 2 cores as on one, 16 Racetrack-v0 copies 1.54 times
// (benchmarks/RESULTS.md; BenchmarkVector).
//
// # Performance
//
// go test -bench . ./env/driving reports steps per second of wall-clock time and, for the
// single-env benchmarks, per second of the benchmark thread's CPU time, which the load of this
// shared 2-core machine distorts less (though still by up to a factor of two: its virtual
// CPUs lose time to other guests); BenchmarkHighwaySweep runs Highway-v0 with each sweep the
// CPU has (AVX-512, AVX2, Go) in one run. Measured here (Go 1.26, an AMD EPYC with AVX-512,
// other jobs loading the machine), per CPU-second of one core:
//
//   - Highway-v0, 50 vehicles, 15 Hz simulation, 1 Hz policy, Kinematics observation: about
//     65,000 to 70,000 policy steps with random meta-actions (episodes end in a crash every 14
//     steps, resets included) and 85,000 with IDLE, the best of 16 alternating rounds of 0.3 s
//     (load average about 7), up to 99,000 and 133,000 in the quietest minutes seen; 77,000
//     to 79,000 and 98,000 to 100,000 at a load average of 2 to 3. That is
//     short of the 100,000 with random actions under the usual load. Alternating runs
//     of this package and of its first version (which ran a sorted-list simulation with a
//     scalar fast path) measure 2 to 2.4 times its speed (highway-env 1.12: about 3.2 steps).
//     With AVX2 only, about two thirds of the AVX-512 figures; with the portable Go sweep,
//     about a quarter.
//   - Racetrack-v0: about 220,000 steps with vector observations, 20,000 with 96×96 RGB or
//     84×84 grayscale pixels (CarRacing-v3: about 145); a 96×96 frame alone, 25,000.
//
// A Highway policy step is 765 vehicle updates (15 steps of 51 vehicles) and about 45 MOBIL
// decisions, with five vehicles changing lanes at any time. Its instruction count (the AVX2
// path, which callgrind can run) went from 239,000 to 183,000 with random actions and to
// 154,000 with IDLE. With AVX-512 the sweeps take a third of the time, and within them the
// lane-change integration, which the kernel runs for the whole block of each vehicle
// changing lanes (about four and a half blocks a step), 43% of the kernel's profile samples:
// a chain through a division, a square root and three series that the out-of-order core
// cannot overlap with the next blocks. Staging those vehicles for one packed pass a step
// was tried (bit for bit alike) and measured 7-11% slower: the pass's own latency and the
// scalar copies of strided entries in and out cost more than it saved. The vehicles changing
// lanes take another quarter of the time (moving, settling on rows, collisions), MOBIL an
// eighth (nine of ten decisions pass the test of the leader's braking, so nearly all search
// the lanes beside), resets a twentieth. The scalar bookkeeping is tuned for branches as
// much as for instructions: callgrind's branch simulation counts about a thousand
// mispredicted branches a policy step (1,150 before that tuning), at some 15 cycles each a
// quarter of the time its instructions take.
package driving
