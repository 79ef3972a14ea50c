<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Application</name>
    <message>
        <source>Something went wrong: {error}. Details are in the log.</source>
        <translation>出错了：{error}。详情见日志。</translation>
    </message>
    <message>
        <source>Your model list could not be read: {problem}.</source>
        <translation>无法读取你的模型列表：{problem}。</translation>
    </message>
</context>
<context>
    <name>ErrorBanner</name>
    <message>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Code Llama Desktop</source>
        <translation>Code Llama Desktop</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Repository</source>
        <translation>仓库</translation>
    </message>
    <message>
        <source>Infill</source>
        <translation>代码填充</translation>
    </message>
    <message>
        <source>The conversation database was damaged. Everything that could be read was carried over into a new one; the damaged file was kept as {path}.</source>
        <translation>对话数据库已损坏。能读出的内容都已转入新数据库；损坏的文件保留为 {path}。</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>新建聊天(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>模型(&amp;M)…</translation>
    </message>
    <message>
        <source>&amp;Open model file…</source>
        <translation>打开模型文件(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>导出对话(&amp;E)…</translation>
    </message>
    <message>
        <source>Local se&amp;rver…</source>
        <translation>本地服务器(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Measure models…</source>
        <translation>测评模型(&amp;M)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Open &amp;log folder</source>
        <translation>打开日志文件夹(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <source>About Code Llama Desktop</source>
        <translation>关于 Code Llama Desktop</translation>
    </message>
    <message>
        <source>Code Llama Desktop {version}
A local coding assistant on llama.cpp.</source>
        <translation>Code Llama Desktop {version}
基于 llama.cpp 的本地编程助手。</translation>
    </message>
    <message>
        <source>Stop the answer first, then switch models.</source>
        <translation>请先停止回答，再切换模型。</translation>
    </message>
    <message>
        <source>Open a GGUF model</source>
        <translation>打开 GGUF 模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>{message} Trying again may work.</source>
        <translation>{message} 重试也许能成功。</translation>
    </message>
    <message>
        <source>The context was reduced to {n_ctx} tokens to fit in memory.</source>
        <translation>为适应内存，上下文已缩减为 {n_ctx} 个词元。</translation>
    </message>
    <message>
        <source>The context is {n_ctx} tokens, beyond the {n_ctx_train} this model was trained on: long prompts take more memory and time, and answers may degrade.</source>
        <translation>上下文为 {n_ctx} 个词元，超过了该模型训练时的 {n_ctx_train}：长提示词会占用更多内存和时间，回答质量也可能下降。</translation>
    </message>
    <message>
        <source>Model loaded in {seconds} s</source>
        <translation>模型已加载，用时 {seconds} 秒</translation>
    </message>
    <message>
        <source>You are chatting with the embedded SmolLM2: tiny and instant, but weak at real code.&lt;br&gt;&lt;a href=&apos;models&apos;&gt;Open Models (Ctrl+M)&lt;/a&gt; to download Code Llama 7B Instruct, recommended for this machine, or another model.&lt;br&gt;&lt;br&gt;Ctrl+Enter sends, Esc stops. Nothing leaves your machine.</source>
        <translation>你正在与内置的 SmolLM2 聊天：它很小、响应很快，但不擅长真正的代码。&lt;br&gt;&lt;a href=&apos;models&apos;&gt;打开模型窗口 (Ctrl+M)&lt;/a&gt;，下载本机推荐的 Code Llama 7B Instruct 或其他模型。&lt;br&gt;&lt;br&gt;Ctrl+Enter 发送，Esc 停止。所有数据都不会离开你的电脑。</translation>
    </message>
</context>
<context>
    <name>StatusLabels</name>
    <message>
        <source>No model</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>Loading {name}…</source>
        <translation>正在加载 {name}…</translation>
    </message>
    <message>
        <source>{used} / {n_ctx} tokens</source>
        <translation>{used} / {n_ctx} 词元</translation>
    </message>
    <message numerus="yes">
        <source>{backend}, %n GPU layer(s)</source>
        <translation>
            <numerusform>{backend}，%n 层在 GPU 上</numerusform>
        </translation>
    </message>
    <message>
        <source>{model} · {where} · ctx {n_ctx} · {threads}/{batch} threads</source>
        <translation>{model} · {where} · 上下文 {n_ctx} · {threads}/{batch} 线程</translation>
    </message>
    <message>
        <source>Server on :{port}</source>
        <translation>服务器运行中 :{port}</translation>
    </message>
    <message>
        <source>Server starting…</source>
        <translation>服务器启动中…</translation>
    </message>
    <message>
        <source>Server stopping…</source>
        <translation>服务器停止中…</translation>
    </message>
</context>
<context>
    <name>Worker</name>
    <message>
        <source>The settings could not be saved</source>
        <translation>无法保存设置</translation>
    </message>
    <message>
        <source>Download failed</source>
        <translation>下载失败</translation>
    </message>
    <message>
        <source>Could not load the model</source>
        <translation>无法加载模型</translation>
    </message>
    <message>
        <source>Could not connect to the remote engine</source>
        <translation>无法连接远程引擎</translation>
    </message>
    <message>
        <source>Could not unload the model</source>
        <translation>无法卸载模型</translation>
    </message>
    <message>
        <source>Generation failed</source>
        <translation>生成失败</translation>
    </message>
    <message>
        <source>Server request failed</source>
        <translation>服务器请求失败</translation>
    </message>
    <message>
        <source>The conversation database could not be opened: {reason}</source>
        <translation>无法打开对话数据库：{reason}</translation>
    </message>
    <message>
        <source>Another program (another copy of the app?) holds the conversation database locked. Past conversations will appear, and this chat will be saved, as soon as it is free.</source>
        <translation>另一个程序（也许是本应用的另一个实例？）锁定了对话数据库。一旦它被释放，过去的对话就会出现，本次聊天也会被保存。</translation>
    </message>
    <message>
        <source>The conversation database is not open.</source>
        <translation>对话数据库未打开。</translation>
    </message>
    <message>
        <source>Saving conversations failed: {reason}</source>
        <translation>保存对话失败：{reason}</translation>
    </message>
    <message>
        <source>{failure}: {cause}</source>
        <translation>{failure}：{cause}</translation>
    </message>
    <message>
        <source>Something went wrong</source>
        <translation>出错了</translation>
    </message>
</context>
</TS>
