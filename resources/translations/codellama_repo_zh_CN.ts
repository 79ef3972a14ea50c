<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AnswerList</name>
    <message>
        <source>Sources: none (no code was packed for this question)</source>
        <translation>来源：无（此问题没有打包任何代码）</translation>
    </message>
    <message>
        <source>Sources: {files}</source>
        <translation>来源：{files}</translation>
    </message>
</context>
<context>
    <name>CitationOpener</name>
    <message>
        <source>Cannot open {path}: {reason}</source>
        <translation>无法打开 {path}：{reason}</translation>
    </message>
</context>
<context>
    <name>CodeViewer</name>
    <message>
        <source>{path}, lines {start}-{end} (shown {first}-{last})</source>
        <translation>{path}，第 {start}-{end} 行（显示第 {first}-{last} 行）</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
</context>
<context>
    <name>ContextTable</name>
    <message>
        <source>What the model saw</source>
        <translation>模型看到的内容</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Match</source>
        <translation>匹配度</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元</translation>
    </message>
    <message numerus="yes">
        <source>{count} chunks + repository map ({map} tokens): {used} of {budget} tokens</source>
        <translation>
            <numerusform>{count} 个代码块 + 仓库地图（{map} 词元）：已用 {used} / {budget} 词元</numerusform>
        </translation>
    </message>
    <message>
        <source>{percent}% of the best match (score {score})</source>
        <translation>相当于最佳匹配的 {percent}%（得分 {score}）</translation>
    </message>
</context>
<context>
    <name>FileTree</name>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元</translation>
    </message>
</context>
<context>
    <name>QuestionBox</name>
    <message>
        <source>Ask about the code (Ctrl+Enter): where is…, why does…, how do I…</source>
        <translation>询问代码（Ctrl+Enter）：……在哪里？为什么……？怎样……？</translation>
    </message>
    <message>
        <source>Ask</source>
        <translation>提问</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>New question</source>
        <translation>新问题</translation>
    </message>
    <message>
        <source>Forget the packed context and pack afresh for the next question</source>
        <translation>丢弃已打包的上下文，为下一个问题重新打包</translation>
    </message>
    <message>
        <source>Context budget (tokens, 0 = what the model leaves):</source>
        <translation>上下文预算（词元，0 = 模型剩余的全部）：</translation>
    </message>
</context>
<context>
    <name>RepoBar</name>
    <message>
        <source>Open folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <source>Recent repositories</source>
        <translation>最近的仓库</translation>
    </message>
    <message>
        <source>Rules…</source>
        <translation>规则…</translation>
    </message>
    <message>
        <source>What is indexed: .gitignore, size limit, extra excludes and includes</source>
        <translation>索引哪些内容：.gitignore、大小上限、额外的排除与包含</translation>
    </message>
</context>
<context>
    <name>RepoPane</name>
    <message>
        <source>Drop a project folder here, or open one, then ask about it.</source>
        <translation>把项目文件夹拖到这里，或打开一个文件夹，然后就它提问。</translation>
    </message>
    <message>
        <source>Open a repository</source>
        <translation>打开仓库</translation>
    </message>
    <message>
        <source>Indexing {path}…</source>
        <translation>正在索引 {path}…</translation>
    </message>
    <message>
        <source>Could not open that folder.</source>
        <translation>无法打开该文件夹。</translation>
    </message>
    <message>
        <source>{reason}.</source>
        <translation>{reason}。</translation>
    </message>
    <message>
        <source>The last conversation on this repository is shown; a follow-up continues it, New question starts afresh.</source>
        <translation>已显示此仓库上次的对话；追问会接着它继续，“新问题”则重新开始。</translation>
    </message>
    <message>
        <source>Type a question first.</source>
        <translation>请先输入问题。</translation>
    </message>
    <message>
        <source>the question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Choosing the code for this question…</source>
        <translation>正在为此问题挑选代码…</translation>
    </message>
    <message>
        <source>Files changed since the folder was opened; the index was updated.</source>
        <translation>打开文件夹后有文件发生了变化，索引已更新。</translation>
    </message>
    <message>
        <source>the context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>Answering…</source>
        <translation>正在回答…</translation>
    </message>
    <message numerus="yes">
        <source>%n tokens; {reused} of {prompt} prompt tokens reused from the cache</source>
        <translation>
            <numerusform>%n 个词元；提示词的 {prompt} 个词元中有 {reused} 个取自缓存</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RulesDialog</name>
    <message>
        <source>Repository rules</source>
        <translation>仓库规则</translation>
    </message>
    <message>
        <source>Honour .gitignore files and .git/info/exclude</source>
        <translation>遵循 .gitignore 文件和 .git/info/exclude</translation>
    </message>
    <message>
        <source> KB</source>
        <translation> KB</translation>
    </message>
    <message>
        <source>Skip files larger than</source>
        <translation>跳过大于此大小的文件</translation>
    </message>
    <message>
        <source>one gitignore-style pattern per line, e.g. docs/  or  *.generated.ts</source>
        <translation>每行一个 gitignore 风格的模式，例如 docs/ 或 *.generated.ts</translation>
    </message>
    <message>
        <source>Also exclude</source>
        <translation>另外排除</translation>
    </message>
    <message>
        <source>patterns to index even when ignored, e.g. vendor/mylib/</source>
        <translation>即使被忽略也要索引的模式，例如 vendor/mylib/</translation>
    </message>
    <message>
        <source>Always include</source>
        <translation>始终包含</translation>
    </message>
    <message>
        <source>Always excluded unless included above: {patterns}. Binary, non-UTF-8 and generated (minified) files are skipped and listed.</source>
        <translation>除非在上方包含，否则总是排除：{patterns}。二进制文件、非 UTF-8 文件和生成的（压缩过的）文件会被跳过并列出。</translation>
    </message>
</context>
</TS>
