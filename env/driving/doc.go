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
// runs in O(1) per vehicle: sorted lane lists instead of scans over all vehicles, and a fast
// path for the vehicles that keep their lane.
//
// # Scenarios
//
// Racetrack and Highway document their spaces, rewards and options in Gymnasium's template.
// Both draw a top-down view that follows the car with package render (Render), and
// Racetrack's pixel observations are the same view at 96×96 RGB or 84×84 grayscale.
//
// # Vector envs
//
// env.MakeVector runs copies of either scenario with the env package's vector envs, on one
// goroutine or spread over every core; each copy is an independent simulation, so the
// generic parallel vector env scales with the cores without a native batch.
//
// # Performance
//
// go test -bench . ./env/driving reports steps per second of wall-clock time and, for the
// single-env benchmarks, per second of the benchmark thread's CPU time, which the load of this
// shared 2-core machine distorts less. Measured here (Go 1.26, load average 10 to 14, so the
// wall-clock figures were 2.5 to 4 times lower), per CPU-second of one core:
//
//   - Highway-v0, 50 vehicles, 15 Hz simulation, 1 Hz policy: about 37,000 policy steps with
//     random meta-actions, 43,000 with IDLE (highway-env 1.12: about 3.2). The simulation
//     itself is the floor: a bare struct-of-arrays IDM loop over the same 765 vehicle updates
//     per policy step runs at about 120,000 steps on the same machine.
//   - Racetrack-v0: about 310,000 steps with vector observations, 27,000 with 96×96 RGB or
//     84×84 grayscale pixels (CarRacing-v3: about 145); a 96×96 frame alone, 32,000.
//
// Highway's cost is spread over its parts: the fast lane-keeping path (about half), the
// vehicles changing lanes (a tenth of them at a time, a third of the cost), and MOBIL.
package driving
