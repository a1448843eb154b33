return Xai4Mri.Cli.CliApp.Run(args, Xai4Mri.Cli.CliIo.ForConsole());
