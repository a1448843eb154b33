return Xai4Mri.Cli.CliApp.Run(args, Console.Out, Console.Error);
