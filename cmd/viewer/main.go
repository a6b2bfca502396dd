// Command viewer opens a window on gorl's environments: watch a trained agent act, play an
// environment with the keyboard, or train an agent and watch it learn.
//
//	viewer watch runs/CartPole-v1__dqn__1__1733011200    the run's latest checkpoint acting
//	viewer play cartpole                                 arrow keys push the cart
//	viewer play frozenlake --set is_slippery=false
//	viewer train dqn cartpole --steps 50000              rlrun's training, live
//
// H in the window shows the keys. The work is done by package view (the window) and
// view/scene (everything else); this file only hands it the command line.
package main

import (
	"context"
	"os"

	"github.com/gorl/gorl/view"
)

func main() {
	os.Exit(view.Main(context.Background(), os.Args, os.Stdout, os.Stderr))
}
