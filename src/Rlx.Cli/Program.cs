using Rlx.Cli;

return RlxCommand.Run(args, Console.Out, Console.Error);
