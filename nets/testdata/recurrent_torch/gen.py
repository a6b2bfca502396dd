# Run from this folder with Debian's python3-torch (1.13): /usr/bin/python3 gen.py && gzip -9 -f recurrent_extra.json
# Extra recurrent reference cases at the hidden split's sizes (seq 4, batch 2, input 3, hidden 5)
# and for options the public file does not cover (time-major, no bias, no initial state).
import json, torch
torch.manual_seed(2)
torch.set_num_threads(1)
def T(t): return {"dtype": "float64", "shape": list(t.shape), "data": t.detach().reshape(-1).tolist()}
cases = []
B, S, I, H = 2, 4, 3, 5
for layer, extra in [("RNN", {"nonlinearity": "tanh"}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {"proj_size": 0}), ("GRU", {})]:
    # A covering subset of (layers, bias, batch_first, initial state): every option both ways.
    for L, bias, bf, st in [(2, True, False, True), (1, False, True, False), (2, False, False, False), (1, True, True, True)]:
        hp = dict(input_size=I, hidden_size=H, num_layers=L, bias=bias, batch_first=bf,
                  bidirectional=False, dropout=0.0, **extra)
        m = getattr(torch.nn, layer)(**hp).double()
        x = (torch.randn(B, S, I) if bf else torch.randn(S, B, I)).double().requires_grad_()
        inputs = {"input": x}
        state = None
        if st:
            h0 = torch.randn(L, B, H).double().requires_grad_()
            inputs["h0"] = h0
            state = h0
            if layer == "LSTM":
                c0 = torch.randn(L, B, H).double().requires_grad_()
                inputs["c0"] = c0
                state = (h0, c0)
        out, hn = m(x, state) if state is not None else m(x)
        outs = {"output": out}
        if layer == "LSTM":
            outs["h_n"], outs["c_n"] = hn
        else:
            outs["h_n"] = hn
        params = dict(m.named_parameters())
        gouts = {k: torch.randn_like(v) for k, v in outs.items()}
        backward = []
        for pname in list(outs) + ["all"]:
            names = list(outs) if pname == "all" else [pname]
            wrt = list(inputs.values()) + list(params.values())
            gs = torch.autograd.grad([outs[n] for n in names], wrt, [gouts[n] for n in names],
                                     retain_graph=True, allow_unused=True)
            gs = [torch.zeros_like(w) if g is None else g for g, w in zip(gs, wrt)]
            gi = {k: T(g) for k, g in zip(inputs, gs[:len(inputs)])}
            gp = {k: T(g) for k, g in zip(params, gs[len(inputs):])}
            backward.append({"name": "output" if pname == "output" else pname,
                             "grad_out": {n: T(gouts[n]) for n in names},
                             "grad_inputs": gi, "grad_params": gp})
        name = f"{layer.lower()}{extra.get('nonlinearity','')}_l{L}_bias{int(bias)}_bf{int(bf)}_state{int(st)}"
        cases.append({"name": name, "kind": "layer", "layer": layer, "hparams": hp, "training": True,
                      "note": "", "params": {k: T(v) for k, v in params.items()}, "buffers": {},
                      "inputs": {k: T(v) for k, v in inputs.items()},
                      "outputs": {k: T(v) for k, v in outs.items()}, "buffers_after": {},
                      "backward": backward})
json.dump({"set": "extra", "seed": 2, "file": "recurrent_extra", "cases": cases}, open("recurrent_extra.json", "w"))
print(len(cases), "cases")
