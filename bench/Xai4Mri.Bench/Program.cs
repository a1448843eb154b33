using Xai4Mri.Bench;

return args.Length > 0 && args[0] == "reading"
    ? ReadingBenchmark.Run(args[1..])
    : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: Xai4Mri.Bench reading [--reps N] [--nibabel-json FILE] FILE...");
    return 2;
}
