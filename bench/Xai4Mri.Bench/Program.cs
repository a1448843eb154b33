using Xai4Mri.Bench;

return args.Length == 0 ? Usage() : args[0] switch
{
    "reading" => ReadingBenchmark.Run(args[1..]),
    "loading" => LoadingBenchmark.Run(args[1..]),
    "training" => TrainingBenchmark.Run(args[1..]),
    "inference" => InferenceBenchmark.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Xai4Mri.Bench reading [--reps N] [--nibabel-json FILE] FILE...");
    Console.Error.WriteLine("       Xai4Mri.Bench loading --cohort DIR --cache EMPTY_DIR [--threads N] [--warm-passes N]");
    Console.Error.WriteLine("       Xai4Mri.Bench training [--threads N] [--batch N] [--steps N] [--shape DxHxW]...");
    Console.Error.WriteLine("       Xai4Mri.Bench inference [--threads N] [--reps N] [--shape DxHxW]...");
    return 2;
}
