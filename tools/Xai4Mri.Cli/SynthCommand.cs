using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Synthetic;

namespace Xai4Mri.Cli;

/// <summary><c>xai4mri synth --out DIR --subjects N --seed S ...</c>: writes a deterministic synthetic brain cohort.</summary>
internal static class SynthCommand
{
    public static Command Create(CliIo io)
    {
        var output = new Option<string>("--out") { Description = "Cohort folder to create (refused if it holds other data, unless --overwrite)", Required = true, HelpName = "DIR" };
        var subjects = new Option<int>("--subjects") { Description = "Number of subjects", DefaultValueFactory = _ => 20, HelpName = "N" };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same arguments and seed give identical images", DefaultValueFactory = _ => 0, HelpName = "S" };
        var sites = new Option<string[]>("--site")
        {
            Description = $"Site profile, repeatable (default site-a and site-b): {string.Join(", ", SiteProfile.Predefined.Select(s => s.Name))}",
            HelpName = "NAME",
        };
        var voxelSize = new Option<double?>("--voxel-size") { Description = "Isotropic voxel size in mm for every site (default: each site's own)", HelpName = "MM" };
        var orientation = new Option<string?>("--orientation") { Description = "Axis codes of the stored images for every site, e.g. RAS, LAS, LIA, PSR (default: each site's own)", HelpName = "CODES" };
        var withSkull = new Option<bool>("--with-skull") { Description = "Keep skull, scalp and background noise (default: off: skull-stripped, background zero)" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Write into a non-empty folder that is not a synthetic cohort (files of the same name are replaced; nothing else is deleted; default: off)" };
        var patients = new Option<double?>("--patient-fraction") { Description = "Probability that a subject is a patient with accelerated atrophy (default 0.25)", HelpName = "P" };
        var minAge = new Option<double?>("--min-age") { Description = "Youngest age in years (default 20)", HelpName = "YEARS" };
        var maxAge = new Option<double?>("--max-age") { Description = "Oldest age in years (default 80)", HelpName = "YEARS" };
        sites.Validators.Add(result =>
        {
            foreach (string name in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (SiteProfile.FindPredefined(name) is null)
                {
                    result.AddError($"unknown site '{name}'; known sites: {string.Join(", ", SiteProfile.Predefined.Select(s => s.Name))}");
                }
            }
        });

        var command = new Command("synth", "Write a deterministic synthetic brain MRI cohort (BIDS-like: participants.tsv, sub-XXX/anat/sub-XXX_T1w.nii.gz)")
        {
            output, subjects, seed, sites, voxelSize, orientation, withSkull, overwrite, patients, minAge, maxAge,
        };
        command.SetAction(result =>
        {
            var defaults = new SyntheticCohortOptions { OutputFolder = "" };
            string[] siteNames = result.GetValue(sites) ?? [];
            var options = new SyntheticCohortOptions
            {
                OutputFolder = result.GetRequiredValue(output),
                Subjects = result.GetValue(subjects),
                Seed = result.GetValue(seed),
                Sites = siteNames.Length > 0 ? siteNames.Select(n => SiteProfile.FindPredefined(n)!).ToList() : defaults.Sites,
                VoxelSize = result.GetValue(voxelSize),
                Orientation = result.GetValue(orientation),
                WithSkull = result.GetValue(withSkull),
                Overwrite = result.GetValue(overwrite),
                PatientFraction = result.GetValue(patients) ?? defaults.PatientFraction,
                MinAge = result.GetValue(minAge) ?? defaults.MinAge,
                MaxAge = result.GetValue(maxAge) ?? defaults.MaxAge,
            };
            return Run(options, io);
        });
        return command;
    }

    private static int Run(SyntheticCohortOptions options, CliIo io)
    {
        TextWriter stdout = io.Out, stderr = io.Err;
        var clock = Stopwatch.StartNew();
        SyntheticCohort cohort;
        using var cancel = new CancellationTokenSource();
        try
        {
            using (var bar = io.Progress("synth", options.Subjects, "subjects"))
            using (io.OnCancel("synth", cancel.Cancel))
            {
                options.Progress = new BarProgress(bar);
                cohort = SyntheticCohort.Generate(options, cancel.Token);
            }
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("xai4mri synth: cancelled; the files written so far stay, and the same command again writes the whole cohort");
            return CliApp.ExitCancelled;
        }
        catch (ArgumentException e)
        {
            // Option values the parser accepted but the generator cannot use: a usage error like any other.
            stderr.WriteLine($"xai4mri synth: {e.Message.TrimEnd('.')}. Run 'xai4mri synth --help' for usage.");
            return CliApp.ExitUsage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ImageFormatException)
        {
            stderr.WriteLine($"xai4mri synth: {e.Message}");
            return CliApp.ExitBadInput;
        }
        var c = CultureInfo.InvariantCulture;
        var subjects = cohort.Subjects;
        string perSite = string.Join(", ", subjects.GroupBy(s => s.Site.Name).Select(g => string.Create(c, $"{g.Key} {g.Count()}")));
        int patientCount = subjects.Count(s => s.IsPatient);
        stdout.WriteLine(string.Create(c, $"Wrote {subjects.Count} subjects to {cohort.Root} in {clock.Elapsed.TotalSeconds:0.0} s"));
        stdout.WriteLine(string.Create(c, $"  sites     {perSite}"));
        stdout.WriteLine(string.Create(c, $"  groups    {subjects.Count - patientCount} control, {patientCount} patient"));
        stdout.WriteLine(string.Create(c, $"  ages      {subjects.Min(s => s.Age):0.0} to {subjects.Max(s => s.Age):0.0} years"));
        stdout.WriteLine($"  table     {cohort.ParticipantsPath}");
        return CliApp.ExitOk;
    }

    /// <summary>Subjects written so far, to the bar (the generator serialises its reports, so they arrive in order).</summary>
    private sealed class BarProgress(ProgressBar bar) : IProgress<int>
    {
        public void Report(int value) => bar.Report(value);
    }
}
