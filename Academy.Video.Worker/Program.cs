Console.WriteLine("Academy.Video.Worker: composed in issue 4.");
