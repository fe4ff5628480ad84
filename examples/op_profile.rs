//! Per-op profile of each model as eyeswitch optimises it: the residual tails our
//! `ResidualAdd` took, any `residual_op::tails` still finds, the other `Pad`s and what reads
//! them, every `OptMatMul` with its M × K × N, kernel and the ops tract fused into it, then
//! per-node times over 50 runs (`run_plan_with_eval`).
//! PERFORMANCE.md ("1 × 1 convolutions") quotes it.
//!
//! `taskset -c 1 cargo run --release --example op_profile`
use eyeswitch::inference::kernels::residual_op;
use eyeswitch::models;
use tract_onnx::prelude::*;
fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    for spec in [
        models::DETECTOR,
        models::MESH,
        models::ATTENTION,
        models::IRIS,
    ] {
        let model = eyeswitch::inference::onnx()
            .model_for_path(dir.join(spec.file))
            .unwrap()
            .with_input_fact(0, f32::fact(spec.input).into())
            .unwrap();
        let typed = eyeswitch::inference::rewritten(model).unwrap();
        println!("=== {}", spec.file);
        for id in typed.eval_order().unwrap() {
            let n = typed.node(id);
            if n.op.name() == "ResidualAdd" {
                println!("{} {:?}", n.name, n.op.info().unwrap());
            }
        }
        let left = residual_op::tails(&typed).unwrap();
        println!("residual tails left to tract: {left:?}");
        for id in typed.eval_order().unwrap() {
            let n = typed.node(id);
            if n.op.name().contains("Pad") {
                let succ: Vec<String> = n.outputs[0]
                    .successors
                    .iter()
                    .map(|s| {
                        let m = typed.node(s.node);
                        let succ2: Vec<String> = m.outputs[0]
                            .successors
                            .iter()
                            .map(|t| format!("{}", typed.node(t.node).op.name()))
                            .collect();
                        format!(
                            "{}[{}] #{} in={:?} -> {:?}",
                            m.op.name(),
                            m.name,
                            s.slot,
                            m.inputs
                                .iter()
                                .map(|i| format!(
                                    "{}:{:?}",
                                    typed.node(i.node).op.name(),
                                    typed.outlet_fact(*i).unwrap().shape
                                ))
                                .collect::<Vec<_>>(),
                            succ2
                        )
                    })
                    .collect();
                println!(
                    "{:?} {:?} in={:?} out={:?} -> {:?}",
                    n.op,
                    n.name,
                    typed.outlet_fact(n.inputs[0]).unwrap().shape,
                    typed.outlet_fact(n.id.into()).unwrap().shape,
                    succ
                );
            }
        }
        let opt = typed.into_optimized().unwrap();
        let mut kinds = std::collections::BTreeMap::<String, usize>::new();
        for n in opt.nodes() {
            *kinds.entry(n.op.name().to_string()).or_default() += 1;
        }
        println!("ops {:?}", kinds);
        for n in opt.nodes() {
            if n.op.name() == "OptMatMul" {
                let succ: Vec<String> = n.outputs[0]
                    .successors
                    .iter()
                    .map(|s| opt.node(s.node).op.name().to_string())
                    .collect();
                let ins: Vec<String> = n
                    .inputs
                    .iter()
                    .map(|i| format!("{:?}", opt.outlet_fact(*i).unwrap().shape))
                    .collect();
                println!(
                    "MM {} ins={:?} info={:?} -> {:?}",
                    n.name,
                    ins,
                    n.op.info().unwrap(),
                    succ
                );
            }
        }
        let plan = opt.into_runnable().unwrap();
        let mut state = plan.spawn().unwrap();
        let len: usize = spec.input.iter().product();
        let input = Tensor::from_shape(&spec.input, &vec![0.5f32; len])
            .unwrap()
            .into_tvalue();
        let mut times = vec![0f64; plan.model().nodes().len()];
        let runs = 50;
        for r in 0..runs + 5 {
            state
                .run_plan_with_eval(tvec!(input.clone()), |ctx, st, node, inp| {
                    let t = std::time::Instant::now();
                    let out = tract_onnx::tract_core::plan::eval(ctx, st, node, inp);
                    if r >= 5 {
                        times[node.id] += t.elapsed().as_secs_f64();
                    }
                    out
                })
                .unwrap();
        }
        let mut by = std::collections::BTreeMap::<String, f64>::new();
        let mut total = 0.0;
        for n in plan.model().nodes() {
            let t = times[n.id] / runs as f64 * 1e6;
            total += t;
            *by.entry(n.op.name().to_string()).or_default() += t;
        }
        println!(
            "total {total:.0} us; by op {:?}",
            by.iter()
                .map(|(k, v)| format!("{k}={v:.0}"))
                .collect::<Vec<_>>()
        );
        for n in plan.model().nodes() {
            if n.op.name() == "OptMatMul" {
                println!("MMT {} {:.1} us", n.name, times[n.id] / runs as f64 * 1e6);
            }
        }
    }
}
